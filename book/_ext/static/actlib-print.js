/* Display formulas wider than the printed page are scaled down to fit it (actlib-print.css).
 *
 * On screen a formula wider than the column scrolls sideways; paper cannot scroll, and CSS
 * alone cannot scale a box to the width of its container. While the page is laid out for
 * print (the print media query matches, or between beforeprint and afterprint), each display
 * formula whose content is wider than its box gets a CSS zoom that makes it fit; the zoom is
 * removed when the page is shown on screen again. Formulas typeset in the browser (MathJax)
 * are measured once typesetting has finished; formulas typeset when the book was built are
 * measured at once.
 */
(function () {
  "use strict";

  var MIN_ZOOM = 0.5;
  var printing = window.matchMedia ? window.matchMedia("print") : null;

  function fit() {
    var boxes = document.querySelectorAll("div.math, .cell_output .math");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var formula = box.querySelector("mjx-container, svg, math") || box;
      formula.style.zoom = "";
      var have = box.clientWidth;
      var need = Math.max(box.scrollWidth, formula.scrollWidth);
      if (have > 0 && need > have + 1) {
        formula.style.zoom = String(Math.max(MIN_ZOOM, (have - 2) / need));
        formula.setAttribute("data-actlib-print-zoom", "1");
      }
    }
  }

  function unfit() {
    var zoomed = document.querySelectorAll("[data-actlib-print-zoom]");
    for (var i = 0; i < zoomed.length; i++) {
      zoomed[i].style.zoom = "";
      zoomed[i].removeAttribute("data-actlib-print-zoom");
    }
  }

  function whenTypeset(callback) {
    var mj = window.MathJax;
    var ready = mj && mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
    var fonts = document.fonts && document.fonts.ready ? document.fonts.ready : null;
    ready.then(function () { return fonts; }).then(callback, callback);
  }

  function update() {
    if (printing && printing.matches) whenTypeset(fit);
    else unfit();
  }

  if (printing) {
    if (printing.addEventListener) printing.addEventListener("change", update);
    else if (printing.addListener) printing.addListener(update);
  }
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", update);
  if (document.readyState === "complete") update();
  else window.addEventListener("load", update);
  window.actlibPrintFit = fit;
})();
