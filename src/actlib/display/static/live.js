/* The live explorer in a notebook (an anywidget view; explorer.js comes before this file).
 *
 * The kernel sends the kernel-free explorer's markup (model "markup": its curves computed by
 * the kernel for every position of the sliders); the page draws it at once on every move, and
 * sends the controls' values back (model "state"), so that the kernel's explorer always holds
 * what the page shows. A new markup from the kernel (its values changed in code, a value it
 * rejected) replaces the view. */

function readCurves(root, cfg) {
  var state = {};
  root.querySelectorAll("input.actlib-param").forEach(function (input) {
    var p = cfg.params[parseInt(input.getAttribute("data-index"), 10)];
    state[p.name] = p.values[parseInt(input.value, 10)];
  });
  var xr = root.querySelector("input.actlib-xrange");
  if (xr) state.x = [-parseFloat(xr.value), parseFloat(xr.value)];
  var d = root.querySelector("input.actlib-derivative");
  if (d) state.derivative = d.checked;
  var fit = root.querySelector("input.actlib-fit");
  if (fit) state.fit_y = fit.checked;
  var select = root.querySelector("select.actlib-compare");
  if (select) state.compare = select.value || null;
  root.querySelectorAll("input.actlib-random").forEach(function (input, k) {
    state[cfg.random[k]] = input.checked;
  });
  return state;
}

function readBars(root) {
  var state = {};
  root.querySelectorAll("input.actlib-slider").forEach(function (input) {
    var v = parseFloat(input.value);
    if (input.getAttribute("data-role") === "temperature") state.T = v;
    else state["z" + (parseInt(input.getAttribute("data-index"), 10) + 1)] = v;
  });
  return state;
}

function render(ctx) {
  var model = ctx.model, el = ctx.el;
  function show() {
    el.innerHTML = model.get("markup");
    var root = el.querySelector(".actlib-explorer");
    if (!root) return;
    window.actlibExplorer.init(root);
    /* The controls' keys are theirs: JupyterLab's notebook shortcuts (ArrowRight and
     * ArrowLeft in command mode, among others) would act on the notebook and take the focus.
     * Lumino skips shortcuts for an event whose target carries this attribute. */
    root.querySelectorAll("input, select").forEach(function (c) {
      c.setAttribute("data-lm-suppress-shortcuts", "true");
    });
    var cfg = JSON.parse(root.getAttribute("data-config"));
    function send() {
      model.set("state", cfg.kind === "bars" ? readBars(root) : readCurves(root, cfg));
      model.save_changes();
    }
    root.addEventListener("input", send);
    root.addEventListener("change", send);
  }
  show();
  model.on("change:markup", show);
  return function () { model.off("change:markup", show); };
}

export default { render: render };
