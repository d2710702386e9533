/* The dashboard's own words in Indonesian (the default, text-id.js) and English (text-en.js); the API's
 * words are in labels.js. Both languages have the same keys (tests/browser/test_dashboard_labels.py). */
import { EN } from "./text-en.js";
import { ID } from "./text-id.js";

export const TEXT = { id: ID, en: EN };
