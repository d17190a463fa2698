// Before any of the page's code: records errors and blocked content for the check, then freezes the
// prototypes as Tauri's freezePrototype does (Object.prototype), or every intrinsic's with ?freeze=all.
window.__errors = [];
window.__blocked = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
window.addEventListener("unhandledrejection", function (e) { window.__errors.push("rejection: " + String(e.reason && e.reason.message || e.reason)); });
document.addEventListener("securitypolicyviolation", function (e) {
  window.__blocked.push(e.effectiveDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
(function () {
  var mode = new URLSearchParams(location.search).get("freeze") || "object";
  var all = [Object, Array, Function, String, Number, Boolean, Symbol, Date, RegExp, Error, Promise, Map, Set, WeakMap, WeakSet];
  var list = mode === "all" ? all : mode === "none" ? [] : [Object];
  list.forEach(function (c) { Object.freeze(c.prototype); });
  window.__frozen = list.length;
})();
