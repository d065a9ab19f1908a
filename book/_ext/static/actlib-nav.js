/* Sidebar buttons that work at every width.
 *
 * The page has two buttons for each sidebar: one in the top bar of pydata-sphinx-theme and one
 * in the article header of sphinx-book-theme (the one readers see). Both themes attach their
 * click handlers to the first button only (document.querySelector), so the visible button
 * did nothing but show its tooltip. Here every other button passes its click on to the first
 * one, whose handlers open the sidebar as a dialog on narrow screens and fold the primary
 * sidebar away on wide ones.
 */
(function () {
  "use strict";

  function forward(selector) {
    var buttons = document.querySelectorAll(selector);
    if (buttons.length < 2) return;
    var first = buttons[0];
    for (var i = 1; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        this.blur();
        first.click();
      });
    }
  }

  function init() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
