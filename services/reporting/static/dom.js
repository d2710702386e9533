/* The page's elements that the modules fill or listen to (index.html). */

export const $ = (id) => document.getElementById(id);

export const els = {
  form: $("controls"), from: $("from"), to: $("to"), filter: $("filter"), metric: $("metric"),
  fromWords: $("from-words"), toWords: $("to-words"),
  status: $("status"), reconnect: $("reconnect"), scope: $("scope"), tiles: $("tiles"),
  compare: $("compare-note"), formError: $("form-error"), lang: $("lang"),
  kotaGroup: $("filter-kota"), kecamatanGroup: $("filter-kecamatan"), agencyGroup: $("filter-agency"),
  crumbs: $("region-crumbs"), regionHint: $("region-hint"), regionTable: $("region-table"), by: $("by"),
  year: $("year"), achievementNote: $("achievement-note"), achievementTable: $("achievement-table"),
  signin: $("signin"), signinForm: $("signin-form"), signinToken: $("signin-token"), signinError: $("signin-error"),
};
