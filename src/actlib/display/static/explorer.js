/* Kernel-free activation explorer: redraws precomputed curves into an inline SVG.
 *
 * Each explorer is a div.actlib-explorer carrying its configuration (data-config, JSON) and,
 * for curve explorers, the curve samples (data-curves: little-endian uint16, base64). The
 * static picture (img.actlib-static) stays for readers without JavaScript; init() hides it and
 * reveals the controls and the SVG. Several explorers on a page are independent. The words the
 * script writes itself come in the reader's language in cfg.text (draw, nodata, invalid, and
 * class with a {i} field).
 * No external requests; no dollar signs or backslashes (the page is typeset by MathJax).
 */
window.actlibExplorer = window.actlibExplorer || (function () {
  "use strict";

  /* Height and margins of the drawing (SVG units); its width follows the page, see Axes. */
  var H = 340, ML = 52, MR = 14, MT = 30, MB = 34, WMIN = 300, WMAX = 560;

  function decode(b64) {
    var bin = atob(b64);
    var n = bin.length >> 1;
    var out = new Uint16Array(n);
    for (var i = 0; i < n; i++) {
      out[i] = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
    }
    return out;
  }

  function niceStep(span, target) {
    var raw = span / target;
    var p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var m = raw / p;
    return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
  }

  function ticks(lo, hi, target) {
    var step = niceStep(hi - lo, target);
    var out = [];
    for (var t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) {
      out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return out;
  }

  function fmt(v) {
    var a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1000 || a < 0.001) return v.toExponential(1);
    return String(parseFloat(v.toPrecision(3)));
  }

  function make(svg, name, attrs, parent) {
    var e = document.createElementNS(svg.namespaceURI, name);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    }
    (parent || svg).appendChild(e);
    return e;
  }

  /* Axes with ticks, grid and title; returns helpers mapping data to SVG coordinates. */
  /* The drawing is as many SVG units wide as the SVG is wide on screen (WMIN to WMAX), so that
   * on a phone its text keeps the size it has on a desktop rather than shrinking. */
  function Axes(svg, title) {
    var shown = svg.getBoundingClientRect().width;
    var W = this.W = Math.round(Math.max(WMIN, Math.min(WMAX, shown || WMAX)));
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    this.svg = svg;
    this.grid = make(svg, "g", { "class": "actlib-grid" });
    make(svg, "rect", {
      x: ML, y: MT, width: W - ML - MR, height: H - MT - MB,
      fill: "none", stroke: "currentColor", "stroke-opacity": "0.5"
    });
    make(svg, "text", {
      x: (ML + W - MR) / 2, y: 18, "text-anchor": "middle", "font-size": "14",
      fill: "currentColor"
    }).textContent = title;
    this.plot = make(svg, "g", {});
    this.overlay = make(svg, "g", {});
  }

  Axes.prototype.setLimits = function (x0, x1, y0, y1, xlabel) {
    this.x0 = x0; this.x1 = x1; this.y0 = y0; this.y1 = y1;
    var W = this.W;
    var g = this.grid, svg = this.svg, self = this;
    while (g.firstChild) g.removeChild(g.firstChild);
    function line(xa, ya, xb, yb, op) {
      make(svg, "line", {
        x1: xa, y1: ya, x2: xb, y2: yb, stroke: "currentColor", "stroke-opacity": op
      }, g);
    }
    function label(x, y, anchor, s) {
      make(svg, "text", {
        x: x, y: y, "text-anchor": anchor, "font-size": "11", fill: "currentColor"
      }, g).textContent = s;
    }
    if (x1 > x0) {
      ticks(x0, x1, Math.max(4, Math.round((W - ML - MR) / 62))).forEach(function (t) {
        var px = self.px(t);
        line(px, MT, px, H - MB, t === 0 ? "0.45" : "0.12");
        label(px, H - MB + 14, "middle", fmt(t));
      });
    }
    ticks(y0, y1, 6).forEach(function (t) {
      var py = self.py(t);
      line(ML, py, W - MR, py, t === 0 ? "0.45" : "0.12");
      label(ML - 5, py + 4, "end", fmt(t));
    });
    if (xlabel) label((ML + W - MR) / 2, H - 4, "middle", xlabel);
  };

  Axes.prototype.px = function (x) {
    return ML + (x - this.x0) / (this.x1 - this.x0) * (this.W - ML - MR);
  };

  Axes.prototype.py = function (y) {
    return H - MB - (y - this.y0) / (this.y1 - this.y0) * (H - MT - MB);
  };

  function legend(ax, items) {
    items.forEach(function (it) {
      it.key = make(ax.svg, "line", {
        x1: ML + 8, x2: ML + 30, stroke: it.color, "stroke-width": "2",
        "stroke-dasharray": it.dash || "none"
      }, ax.overlay);
      it.text = make(ax.svg, "text", {
        x: ML + 36, "font-size": "12", fill: "currentColor"
      }, ax.overlay);
      it.text.textContent = it.label;
    });
    place(items);
  }

  /* Stack the legend entries that are shown (display other than "none"), without gaps. */
  function place(items) {
    var k = 0;
    items.forEach(function (it) {
      if (it.text.style.display === "none") return;
      var y = MT + 14 + 16 * k++;
      it.key.setAttribute("y1", y - 4);
      it.key.setAttribute("y2", y - 4);
      it.text.setAttribute("y", y);
    });
  }

  /* As padded in explorer.py: 0 included, a fraction pad of the span added on both sides. */
  function padded(lo, hi, pad) {
    lo = Math.min(lo, 0); hi = Math.max(hi, 0);
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    var p = pad * (hi - lo);
    return [lo - p, hi + p];
  }

  function sliderValue(input) {
    return parseFloat(input.value);
  }

  /* Show a notice (kind "notice") or an error; the message box keeps its height either way. */
  function say(msg, text, kind) {
    if (!msg) return;
    msg.textContent = text || "";
    if (text) msg.setAttribute("data-kind", kind);
    else msg.removeAttribute("data-kind");
  }

  /* ---------------------------------------------------------------- f and f' of one activation */
  /* cfg.q[c] locates the samples of parameter combination c (null: the activation rejects it);
   * cfg.others[name] those of another activation (overlays and "compare with"), every
   * cfg.stride-th point of the same x-grid. Parameter sliders hold indices into their grids;
   * a move to a rejected combination pushes another slider to its nearest valid value, or
   * springs back when none exists. */
  function initCurves(root, cfg, svg) {
    var data = decode(root.getAttribute("data-curves") || "");
    var n = cfg.n, xmax = cfg.xmax, dx = 2 * xmax / (n - 1), stride = cfg.stride || 1;
    var params = cfg.params;
    var index = params.map(function (p) { return p.index; });
    var ax = new Axes(svg, cfg.title);
    var overlays = (cfg.overlay || []).map(function (name, k) {
      return {
        name: name,
        path: make(svg, "path", {
          "class": "actlib-curve actlib-other", fill: "none", stroke: cfg.colors[2 + k],
          "stroke-width": "1.4", "stroke-opacity": "0.85", "stroke-linejoin": "round"
        }, ax.plot)
      };
    });
    var cpath = make(svg, "path", {
      "class": "actlib-curve actlib-compared", fill: "none", stroke: cfg.compareColor,
      "stroke-width": "2", "stroke-linejoin": "round"
    }, ax.plot);
    var f = make(svg, "path", {
      "class": "actlib-curve actlib-f", fill: "none", stroke: cfg.colors[0],
      "stroke-width": "2.2", "stroke-linejoin": "round"
    }, ax.plot);
    var df = make(svg, "path", {
      "class": "actlib-curve actlib-df", fill: "none", stroke: cfg.colors[1],
      "stroke-width": "1.8", "stroke-dasharray": "6 4", "stroke-linejoin": "round"
    }, ax.plot);
    /* a training-mode draw (cfg.q[c][5..9], every cfg.sstride-th x) as dots */
    var dots = [0, 1].map(function (which) {
      return make(svg, "path", {
        "class": "actlib-curve actlib-dots", fill: "none", stroke: cfg.colors[which],
        "stroke-width": "3", "stroke-linecap": "round", "stroke-opacity": "0.6"
      }, ax.plot);
    });
    var items = [{ label: cfg.label, color: cfg.colors[0] }];
    var dItem = { label: cfg.dlabel, color: cfg.colors[1], dash: "6 4" };
    items.push(dItem);
    overlays.forEach(function (o, k) { items.push({ label: o.name, color: cfg.colors[2 + k] }); });
    var cItem = { label: "", color: cfg.compareColor };
    items.push(cItem);
    var rItem = { label: cfg.text.draw, color: cfg.colors[0], dash: "0.1 5" };
    items.push(rItem);
    legend(ax, items);
    var msg = root.querySelector(".actlib-message");
    var xr = root.querySelector("input.actlib-xrange");
    var toggle = root.querySelector("input.actlib-derivative");
    var fit = root.querySelector("input.actlib-fit");
    var select = root.querySelector("select.actlib-compare");
    var random = root.querySelector("input.actlib-random");
    var inputs = root.querySelectorAll("input.actlib-param");
    var limits = null, extents = {};

    function combo(idx) {
      var c = 0;
      for (var j = 0; j < params.length; j++) c = c * params[j].values.length + idx[j];
      return c;
    }

    function series(c, which) {
      var q = cfg.q[c];
      if (!q) return null;
      var base = q[0] + which * n, lo = q[1 + 2 * which], sc = q[2 + 2 * which];
      return function (i) { return lo + sc * data[base + i]; };
    }

    /* The training-mode draw of combination c at x-grid index i (a multiple of sstride). */
    function sample(c, which) {
      var q = cfg.q[c];
      if (!q || q.length < 10) return null;
      var m = Math.floor((n - 1) / cfg.sstride) + 1;
      var base = q[5] + which * m, lo = q[6 + 2 * which], sc = q[7 + 2 * which];
      return function (i) { return lo + sc * data[base + i / cfg.sstride]; };
    }

    function dotPath(fn, i0, i1, step) {
      var parts = [];
      for (var i = Math.ceil(i0 / step) * step; i <= i1; i += step) {
        parts.push("M" + ax.px(-xmax + i * dx).toFixed(1) + " " + ax.py(fn(i)).toFixed(1) + "h0");
      }
      return parts.join("");
    }

    /* Another activation's curve at x-grid index i (a multiple of stride). */
    function other(name) {
      var q = cfg.others[name];
      if (!q) return null;
      return function (i) { return q[1] + q[2] * data[q[0] + i / stride]; };
    }

    function path(fn, i0, i1, step) {
      var parts = [];
      var first = Math.ceil(i0 / step) * step;
      for (var i = first; i <= i1; i += step) {
        var x = -xmax + i * dx;
        parts.push((i === first ? "M" : "L") + ax.px(x).toFixed(1) + " " +
          ax.py(fn(i)).toFixed(1));
      }
      return parts.join("");
    }

    function extent(fns, i0, i1, step, acc) {
      fns.forEach(function (fn) {
        var first = Math.ceil(i0 / step) * step;
        for (var i = first; i <= i1; i += step) {
          var v = fn(i);
          if (v < acc[0]) acc[0] = v;
          if (v > acc[1]) acc[1] = v;
        }
      });
      return acc;
    }

    /* Every curve of the slider grid on [i0, i1] (f, and f' when shown): the fixed frame. */
    function gridExtent(i0, i1, showD) {
      var key = i0 + ":" + showD;
      if (!extents[key]) {
        var acc = [Infinity, -Infinity];
        for (var c = 0; c < cfg.q.length; c++) {
          if (!cfg.q[c]) continue;
          extent(showD ? [series(c, 0), series(c, 1)] : [series(c, 0)], i0, i1, 1, acc);
        }
        extents[key] = acc;
      }
      return extents[key].slice();
    }

    function draw() {
      var half = xr ? sliderValue(xr) : xmax;
      var i0 = Math.max(0, Math.round((xmax - half) / dx)), i1 = n - 1 - i0;
      var c = combo(index);
      var yf = series(c, 0), yd = series(c, 1);
      var showD = toggle ? toggle.checked : false;
      var name = select ? select.value : "";
      var yc = name ? other(name) : null;
      var others = overlays.map(function (o) { return other(o.name); }).filter(Boolean);
      if (yc) others.push(yc);
      var showR = !!(random && random.checked && sample(c, 0));
      var draws = showR ? (showD ? [sample(c, 0), sample(c, 1)] : [sample(c, 0)]) : [];
      var acc = extent(yf ? (showD ? [yf, yd] : [yf]) : [], i0, i1, 1, [Infinity, -Infinity]);
      extent(others, i0, i1, stride, acc);
      extent(draws, i0, i1, cfg.sstride, acc);
      if (!(fit && fit.checked)) {
        var g = gridExtent(i0, i1, showD);
        acc = [Math.min(acc[0], g[0]), Math.max(acc[1], g[1])];
      }
      var lim = padded(isFinite(acc[0]) ? acc[0] : 0, isFinite(acc[1]) ? acc[1] : 0, cfg.pad);
      var x0 = -xmax + i0 * dx, x1 = -xmax + i1 * dx;
      if (!limits || limits[0] !== x0 || limits[1] !== lim[0] || limits[2] !== lim[1]) {
        limits = [x0, lim[0], lim[1]];
        ax.setLimits(x0, x1, lim[0], lim[1], "x");
      }
      f.setAttribute("d", yf ? path(yf, i0, i1, 1) : "");
      df.setAttribute("d", yf && showD ? path(yd, i0, i1, 1) : "");
      overlays.forEach(function (o) {
        var fn = other(o.name);
        o.path.setAttribute("d", fn ? path(fn, i0, i1, stride) : "");
      });
      cpath.setAttribute("d", yc ? path(yc, i0, i1, stride) : "");
      dots.forEach(function (d, which) {
        d.setAttribute("d", draws[which] ? dotPath(draws[which], i0, i1, cfg.sstride) : "");
      });
      rItem.key.style.display = rItem.text.style.display = showR ? "" : "none";
      dItem.key.style.display = dItem.text.style.display = showD ? "" : "none";
      cItem.text.textContent = name;
      cItem.key.style.display = cItem.text.style.display = yc ? "" : "none";
      place(items);
      if (!yf) say(msg, cfg.invalid[c] || cfg.text.nodata, "error");
    }

    function setParam(j, k) {
      index[j] = k;
      var input = inputs[j];
      if (input) {
        input.value = String(k);
        var out = root.querySelector("output[data-for='" + input.id + "']");
        if (out) out.textContent = params[j].labels[k];
      }
    }

    /* Slider j moved to grid index k: the nearest valid values, or null (see Explorer.repair). */
    function repair(j, k) {
      var trial = index.slice();
      trial[j] = k;
      if (cfg.q[combo(trial)]) return { index: trial, moved: -1 };
      var best = null;
      for (var m = 0; m < params.length; m++) {
        if (m === j) continue;
        var vals = params[m].values, cur = vals[index[m]];
        var span = (vals[vals.length - 1] - vals[0]) || 1;
        var order = vals.map(function (v, i) { return i; });
        order.sort(function (a, b) { return Math.abs(vals[a] - cur) - Math.abs(vals[b] - cur); });
        for (var r = 0; r < order.length; r++) {
          var dist = Math.abs(vals[order[r]] - cur) / span;
          if (best && dist >= best.dist) break;
          var t = trial.slice();
          t[m] = order[r];
          if (cfg.q[combo(t)]) { best = { dist: dist, index: t, moved: m }; break; }
        }
      }
      return best;
    }

    Array.prototype.forEach.call(inputs, function (input) {
      var j = parseInt(input.getAttribute("data-index"), 10);
      input.addEventListener("input", function () {
        var k = parseInt(input.value, 10);
        var fix = repair(j, k);
        if (!fix) {
          var trial = index.slice();
          trial[j] = k;
          setParam(j, index[j]);  /* springs back */
          say(msg, cfg.invalid[combo(trial)] || cfg.text.invalid, "error");
          return;
        }
        fix.index.forEach(function (v, m) { setParam(m, v); });
        say(msg, fix.moved < 0 ? "" : cfg.notice.replace("{name}", params[fix.moved].name)
          .replace("{value}", params[fix.moved].labels[fix.index[fix.moved]]), "notice");
        draw();
      });
    });
    if (xr) {
      var xout = root.querySelector("output[data-for='" + xr.id + "']");
      xr.addEventListener("input", function () {
        if (xout) xout.textContent = fmt(sliderValue(xr));
        draw();
      });
    }
    if (toggle) toggle.addEventListener("change", draw);
    if (fit) fit.addEventListener("change", draw);
    if (select) select.addEventListener("change", draw);
    if (random) random.addEventListener("change", draw);
    draw();
  }

  /* ------------------------------------------- f(z / T) of a normalizing activation as bars */
  /* cfg.program[i] is output i of the activation's formula as a tree (see script_program in
   * explorer.py): ["x", j] is input j, ["num", v] a constant, otherwise an operation and its
   * operands, evaluated left to right in double precision. */
  function evaluate(node, x) {
    var op = node[0], i, v;
    if (op === "x") return x[node[1]];
    if (op === "num") return node[1];
    var a = [];
    for (i = 1; i < node.length; i++) a.push(evaluate(node[i], x));
    switch (op) {
      case "add": v = a[0]; for (i = 1; i < a.length; i++) v += a[i]; return v;
      case "mul": v = a[0]; for (i = 1; i < a.length; i++) v *= a[i]; return v;
      case "pow": return Math.pow(a[0], a[1]);
      case "exp": return Math.exp(a[0]);
      case "log": return Math.log(a[0]);
      case "abs": return Math.abs(a[0]);
      case "tanh": return Math.tanh(a[0]);
      case "max": return Math.max.apply(null, a);
      case "min": return Math.min.apply(null, a);
    }
    return NaN;
  }

  /* f(z / T); a shift-invariant f is evaluated after subtracting the largest input. */
  function outputs(cfg, z, t) {
    var x = [], m = -Infinity, i;
    for (i = 0; i < z.length; i++) { x.push(z[i] / t); m = Math.max(m, x[i]); }
    if (cfg.shift && isFinite(m)) for (i = 0; i < x.length; i++) x[i] -= m;
    return cfg.program.map(function (node) { return evaluate(node, x); });
  }

  /* The smallest of 1, 2, 5, 10, 20, 50, ... that is at least v (0 for v <= 0). */
  function extent(v) {
    if (!(v > 0)) return 0;
    for (var step = 1; ; step *= 10) {
      if (step >= v) return step;
      if (2 * step >= v) return 2 * step;
      if (5 * step >= v) return 5 * step;
    }
  }

  /* As bar_limits in explorer.py: from 0 to the values, each side rounded up. */
  function barLimits(p) {
    var lo = 0, hi = 0;
    p.forEach(function (v) {
      if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    });
    lo = 0 - extent(-lo); hi = extent(hi);
    return hi > lo ? [lo, hi] : [0, 1];
  }

  function barText(v) {
    if (isNaN(v)) return "nan";
    if (!isFinite(v)) return v > 0 ? "inf" : "-inf";
    var s = v.toFixed(3);
    return parseFloat(s) === 0 ? "0.000" : s;
  }

  function initBars(root, cfg, svg) {
    var k = cfg.logits.length;
    var ax = new Axes(svg, cfg.title), W = ax.W;
    ax.x0 = 0; ax.x1 = k;
    var limits = null;
    var bars = [], texts = [], names = [];
    for (var i = 0; i < k; i++) {
      bars.push(make(svg, "path", {
        "class": "actlib-curve actlib-bar", fill: cfg.colors[0], "fill-opacity": "0.85"
      }, ax.plot));
      texts.push(make(svg, "text", {
        "text-anchor": "middle", "font-size": "12", fill: "currentColor"
      }, ax.plot));
      names.push(make(svg, "text", {
        "text-anchor": "middle", "font-size": "12", fill: "currentColor",
        x: ML + (i + 0.5) / k * (W - ML - MR), y: H - MB + 16
      }, ax.plot));
      names[i].textContent = cfg.text["class"].replace("{i}", String(i + 1));
    }
    var inputs = root.querySelectorAll("input.actlib-slider");

    function draw() {
      var z = [], t = 1;
      Array.prototype.forEach.call(inputs, function (input) {
        var out = root.querySelector("output[data-for='" + input.id + "']");
        if (out) out.textContent = fmt(sliderValue(input));
        if (input.getAttribute("data-role") === "temperature") t = sliderValue(input);
        else z[parseInt(input.getAttribute("data-index"), 10)] = sliderValue(input);
      });
      var p = outputs(cfg, z, t);
      var lim = barLimits(p);
      if (!limits || lim[0] !== limits[0] || lim[1] !== limits[1]) {
        limits = lim;
        var span = lim[1] - lim[0];
        ax.setLimits(0, 0, lim[0] - (lim[0] < 0 ? cfg.pad * span : 0),
          lim[1] + (lim[1] > 0 ? cfg.pad * span : 0), "");
      }
      var slot = (W - ML - MR) / k, bw = slot * 0.6, y0 = ax.py(0);
      for (var i = 0; i < k; i++) {
        var h = isNaN(p[i]) ? 0 : Math.min(Math.max(p[i], limits[0]), limits[1]);
        var x = ML + i * slot + (slot - bw) / 2, y = ax.py(h);
        bars[i].setAttribute("d", "M" + x.toFixed(1) + " " + y0.toFixed(1) + "V" + y.toFixed(1) +
          "H" + (x + bw).toFixed(1) + "V" + y0.toFixed(1) + "Z");
        texts[i].setAttribute("x", (x + bw / 2).toFixed(1));
        texts[i].setAttribute("y", (h >= 0 ? y - 5 : y + 14).toFixed(1));
        texts[i].textContent = barText(p[i]);
      }
    }

    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("input", draw);
    });
    draw();
  }

  function init(root) {
    if (!root || root.getAttribute("data-ready") === "1") return;
    var cfg = JSON.parse(root.getAttribute("data-config"));
    var svg = root.querySelector("svg.actlib-svg");
    var live = root.querySelector(".actlib-live");
    var still = root.querySelector(".actlib-static");
    if (live) live.removeAttribute("hidden");  /* first: the drawing measures its width */
    if (still) still.style.display = "none";
    if (cfg.kind === "bars") initBars(root, cfg, svg);
    else initCurves(root, cfg, svg);
    root.setAttribute("data-ready", "1");
  }

  /* outputs and barLimits are exposed for the tests (tests/test_explorer.py). */
  return { init: init, outputs: outputs, barLimits: barLimits };
})();
