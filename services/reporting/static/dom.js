/* The page's elements that the modules fill or listen to (index.html). */

export const $ = (id) => document.getElementById(id);

export const els = {
  form: $("controls"), from: $("from"), to: $("to"), filter: $("filter"), metric: $("metric"),
  status: $("status"), reconnect: $("reconnect"), scope: $("scope"), tiles: $("tiles"),
  compare: $("compare-note"), formError: $("form-error"), lang: $("lang"),
  kotaGroup: $("filter-kota"), agencyGroup: $("filter-agency"),
  signin: $("signin"), signinForm: $("signin-form"), signinToken: $("signin-token"), signinError: $("signin-error"),
};
