/* Search in a copy of the site opened from disk (file://).
 *
 * Sphinx's search page shows each result with a summary that it fetches from the result's page.
 * Browsers refuse such requests for files opened from disk, and each refusal is a console error.
 * From disk, results are therefore listed without summaries (titles and links work), and the
 * page says that a served copy shows them too.
 */
(function () {
  "use strict";
  if (window.location.protocol !== "file:") return;
  // A top-level const of documentation_options.js: a global name, not a property of window.
  if (typeof DOCUMENTATION_OPTIONS !== "undefined") DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;

  function note() {
    var results = document.getElementById("search-results");
    if (!results || document.getElementById("actlib-search-note")) return;
    var p = document.createElement("p");
    p.id = "actlib-search-note";
    p.className = "actlib-search-note";
    p.textContent =
      "This copy was opened from disk: results are listed without summaries. " +
      "Serve the folder (for example: python -m http.server) to see them.";
    results.parentNode.insertBefore(p, results);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", note);
  } else {
    note();
  }
})();
