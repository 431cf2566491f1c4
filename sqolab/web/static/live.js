/* SQO Lab: the labs live in the reader's browser (no kernel, no server, no other host).
 *
 * The data (window.SQOLAB_LIVE_DATA[lab]) is made at build time by sqolab/web/payload.py from
 * the engine: per-lead columns, the lead score, the trade-off curve and the framework presets.
 * This script only counts, as sqolab.engine.criteria.qualify and sqolab.engine.outcomes.evaluate
 * do; sums follow numpy's pairwise order so that every figure equals the engine's to the bit.
 * tests/test_web_oracle.py compares every number on each page with the engine.
 */
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const WON = 0;
  const LOST_COMPETITOR = 1;
  let uid = 0;

  // ---------------------------------------------------------------------------- data

  const TYPES = {
    i8: Int8Array, i16: Int16Array, i32: Int32Array, f32: Float32Array, f64: Float64Array,
  };

  function unpack(packed) {
    const text = atob(packed.b);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const raw = new TYPES[packed.t](bytes.buffer);
    return packed.t[0] === "f" ? Float64Array.from(raw) : Int32Array.from(raw);
  }

  /** Lead indices by score descending, ties in row order (numpy's stable argsort of -score). */
  function orderBy(priority) {
    const idx = Array.from(priority, (_, i) => i);
    idx.sort((a, b) => (priority[b] - priority[a]) || (a - b));
    return Int32Array.from(idx);
  }

  function pipeline(raw) {
    const p = Object.assign({}, raw);
    for (const key of ["budget", "timeline", "engagement", "fit", "authority", "need", "outcome",
      "deal", "hours", "score"]) p[key] = unpack(raw[key]);
    if (raw.curve) {
      p.curve = {};
      for (const key of Object.keys(raw.curve)) p.curve[key] = unpack(raw.curve[key]);
    }
    return withBuffers(p);
  }

  /** Scratch arrays for evaluate(), made once per pipeline (no allocation per update). */
  function withBuffers(p) {
    p.bufWon = new Float64Array(p.n);
    p.bufMissed = new Float64Array(p.n);
    p.bufWaste = new Float64Array(p.n);
    p.bufHours = new Float64Array(p.n);
    p.worked = new Uint8Array(p.n);
    return p;
  }

  function orchardPipeline(raw) {
    const ripeness = unpack(raw.ripeness);
    const sells = unpack(raw.sells);
    const minutes = unpack(raw.minutes);
    const p = {
      n: raw.n,
      hours_max: raw.hours_max,
      ripeness: ripeness,
      score: ripeness,
      outcome: Int32Array.from(sells, (s) => (s ? WON : 2)),
      deal: unpack(raw.price),
      hours: Float64Array.from(minutes, (m) => m / 60),
    };
    p.order = orderBy(ripeness);
    return withBuffers(p);
  }

  // ------------------------------------------------------------------ the engine's counting

  /** numpy's pairwise summation of a[lo .. lo+n) (the order np.sum adds float64 in). */
  function pairwise(a, lo, n) {
    if (n < 8) {
      let res = 0;
      for (let i = 0; i < n; i++) res += a[lo + i];
      return res;
    }
    if (n <= 128) {
      let r0 = a[lo], r1 = a[lo + 1], r2 = a[lo + 2], r3 = a[lo + 3];
      let r4 = a[lo + 4], r5 = a[lo + 5], r6 = a[lo + 6], r7 = a[lo + 7];
      const m = n - (n % 8);
      let i = 8;
      for (; i < m; i += 8) {
        const j = lo + i;
        r0 += a[j]; r1 += a[j + 1]; r2 += a[j + 2]; r3 += a[j + 3];
        r4 += a[j + 4]; r5 += a[j + 5]; r6 += a[j + 6]; r7 += a[j + 7];
      }
      let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; i < n; i++) res += a[lo + i];
      return res;
    }
    let n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return pairwise(a, lo, n2) + pairwise(a, lo + n2, n - n2);
  }

  /** Per applied criterion (in the engine's order) a 0/1 array: does each lead meet it? */
  function criteriaMet(p, crit, names, levels) {
    const out = [];
    const unknown = !!crit.unknown;
    for (const name of names) {
      const t = crit[name];
      if (t === null || t === undefined) continue;
      const n = p.n;
      const bufs = p.metBufs || (p.metBufs = {}); // reused: a page redraws on every input
      const met = bufs[name] || (bufs[name] = new Uint8Array(n));
      if (name === "authority" || name === "need") {
        const codes = p[name];
        const level = levels[name][t];
        if (unknown) for (let i = 0; i < n; i++) met[i] = codes[i] >= level || codes[i] <= 0 ? 1 : 0;
        else for (let i = 0; i < n; i++) met[i] = codes[i] >= level ? 1 : 0;
      } else if (name === "budget") {
        const v = p.budget; // NaN = unknown: "not below" is met, ">=" is not
        if (unknown) for (let i = 0; i < n; i++) met[i] = v[i] < t ? 0 : 1;
        else for (let i = 0; i < n; i++) met[i] = v[i] >= t ? 1 : 0;
      } else if (name === "timeline") {
        const v = p.timeline;
        if (unknown) for (let i = 0; i < n; i++) met[i] = v[i] > t ? 0 : 1;
        else for (let i = 0; i < n; i++) met[i] = v[i] <= t ? 1 : 0;
      } else {
        const v = p[name]; // engagement and fit have no unknown; a missing value never meets
        for (let i = 0; i < n; i++) met[i] = v[i] >= t ? 1 : 0;
      }
      out.push([name, met]);
    }
    return out;
  }

  /** How many of the applied criteria each lead meets. */
  function countMet(p, met) {
    const count = p.countBuf || (p.countBuf = new Uint8Array(p.n));
    count.fill(0);
    for (const [, m] of met) for (let i = 0; i < p.n; i++) count[i] += m[i];
    return count;
  }

  /** SQO when at least k of the applied criteria are met (k = 0: every lead). */
  function qualify(p, met, k) {
    return atLeast(countMet(p, met), k);
  }

  function ratio(a, b) {
    return b ? a / b : NaN;
  }

  /** The engine's evaluate(): all SQOs worked, or by `order` until the capacity runs out.
   * One pass gathers the values each sum adds, in row order (as numpy's boolean indexing does);
   * pairwise() then adds them in numpy's order. */
  function evaluate(p, sqo, capacity, order) {
    const n = p.n;
    const outcome = p.outcome, deal = p.deal, hours = p.hours;
    let worked = sqo;
    let hoursSpent = 0;
    const capped = capacity !== null && capacity !== undefined;
    if (capped) {
      worked = p.worked.fill(0);
      let spent = 0;
      for (let j = 0; j < n; j++) {
        const i = order[j];
        if (sqo[i] === 0) continue;
        spent += hours[i];
        if (spent > capacity) break; // the team stops at the first SQO that does not fit
        worked[i] = 1;
        hoursSpent = spent;
      }
    }
    const bWon = p.bufWon, bMissed = p.bufMissed, bWaste = p.bufWaste, bHours = p.bufHours;
    let nWon = 0, nMissed = 0, nWaste = 0, nHours = 0;
    let nSqo = 0, lost = 0;
    for (let i = 0; i < n; i++) {
      const o = outcome[i];
      nSqo += sqo[i];
      if (worked[i] !== 0) {
        bHours[nHours++] = hours[i];
        if (o === WON) bWon[nWon++] = deal[i];
        else {
          bWaste[nWaste++] = hours[i];
          if (o === LOST_COMPETITOR) lost++;
        }
      } else if (o === WON) bMissed[nMissed++] = deal[i];
    }
    if (!capped) hoursSpent = pairwise(bHours, 0, nHours);
    const won = nWon;
    const nWorked = nHours;
    const winnable = nWon + nMissed;
    const revenueWon = pairwise(bWon, 0, nWon);
    const wasted = pairwise(bWaste, 0, nWaste);
    return {
      n_leads: n,
      n_sqo: nSqo,
      n_worked: nWorked,
      won: won,
      lost_competitor: lost,
      no_decision: nWorked - won - lost,
      winnable: winnable,
      missed: winnable - won,
      win_rate: ratio(won, nWorked),
      capture_rate: ratio(won, winnable),
      revenue_won_eur: revenueWon,
      revenue_missed_eur: pairwise(bMissed, 0, nMissed),
      hours_spent: hoursSpent,
      wasted_hours: Math.min(wasted, hoursSpent),
      revenue_per_hour_eur: ratio(revenueWon, hoursSpent),
    };
  }

  function atLeast(values, t) {
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i] >= t ? 1 : 0;
    return out;
  }

  // ----------------------------------------------------------------------- formatting

  /** Python's format(x, f".{d}f"): the exact binary value, correctly rounded, ties to even. */
  function fixed(x, d) {
    const neg = x < 0 || Object.is(x, -0);
    const exact = Math.abs(x).toFixed(100); // every digit of the double (x < 1e21 here)
    const dot = exact.indexOf(".");
    const digits = (exact.slice(0, dot) + exact.slice(dot + 1, dot + 1 + d)).split("").map(Number);
    const rest = exact.slice(dot + 1 + d);
    const first = rest.charCodeAt(0) - 48;
    const tail = /[1-9]/.test(rest.slice(1));
    const odd = digits[digits.length - 1] % 2 === 1;
    if (first > 5 || (first === 5 && (tail || odd))) {
      let i = digits.length - 1;
      while (i >= 0 && digits[i] === 9) digits[i--] = 0;
      if (i < 0) digits.unshift(1); else digits[i] += 1;
    }
    const whole = digits.slice(0, digits.length - d).join("");
    const frac = digits.slice(digits.length - d).join("");
    return { neg: neg, whole: whole, frac: frac };
  }

  function grouped(whole) {
    return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function fmt(value, kind, absent) {
    if (value === null || value === undefined || Number.isNaN(value)) return absent[kind] || "n/a";
    if (kind === "pct") {
      const f = fixed(value * 100, 1);
      return (f.neg ? "-" : "") + f.whole + "." + f.frac + "%";
    }
    if (kind === "points") {
      const f = fixed(value, 1);
      return (f.neg ? "-" : "") + f.whole + "." + f.frac + " points";
    }
    const f = fixed(value, 0);
    return (f.neg ? "-" : "") + grouped(f.whole) + (kind === "eur" ? " EUR" : "");
  }

  function plain(value) {
    // a control's value as text: 7,500 or 1.5
    if (Number.isInteger(value)) return grouped(String(Math.abs(value)));
    return String(Math.round(value * 100) / 100);
  }

  // ------------------------------------------------------------------------------- DOM

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A label's content: text, or [visible text, words only screen readers need]. */
  function labelText(label) {
    if (!Array.isArray(label)) return [label];
    return [label[0], el("span", { class: "sqolab-live-sr" }, [label[1]])];
  }

  /** A labelled control; `on` is called after every change. */
  class Controls {
    constructor(root, on) {
      this.root = root;
      this.on = on;
      this.inputs = {};
      this.outputs = {};
      this.formats = {};
    }

    row(parent) {
      const div = el("div", { class: "sqolab-live-row" });
      parent.append(div);
      return div;
    }

    select(parent, key, label, options, value) {
      const id = `sqolab-live-${++uid}`;
      const input = el("select", { id: id, "data-control": key },
        options.map(([text, v]) => el("option", { value: v }, [text])));
      input.value = value;
      input.addEventListener("change", () => this.on(key));
      parent.append(el("div", { class: "sqolab-live-control" }, [
        el("label", { for: id }, labelText(label)), input]));
      this.inputs[key] = input;
      return input;
    }

    check(parent, key, label, value) {
      const id = `sqolab-live-${++uid}`;
      const input = el("input", { type: "checkbox", id: id, "data-control": key });
      input.checked = !!value;
      input.addEventListener("change", () => this.on(key));
      parent.append(el("div", { class: "sqolab-live-control sqolab-live-check" }, [
        input, el("label", { for: id }, labelText(label))]));
      this.inputs[key] = input;
      return input;
    }

    range(parent, key, label, min, max, step, value, show) {
      const id = `sqolab-live-${++uid}`;
      const input = el("input", {
        type: "range", id: id, min: min, max: max, step: step, "data-control": key,
      });
      input.value = value;
      const output = el("output", { for: id });
      this.formats[key] = show || plain;
      input.addEventListener("input", () => this.on(key));
      parent.append(el("div", { class: "sqolab-live-control sqolab-live-range" }, [
        el("label", { for: id }, labelText(label)), input, output]));
      this.inputs[key] = input;
      this.outputs[key] = output;
      this.show(key);
      return input;
    }

    show(key) {
      const input = this.inputs[key];
      if (input.type !== "range") return;
      const text = this.formats[key](input.valueAsNumber);
      this.outputs[key].textContent = text;
      input.setAttribute("aria-valuetext", text);
    }

    get(key) {
      const input = this.inputs[key];
      if (input.type === "checkbox") return input.checked;
      if (input.type === "range") return input.valueAsNumber;
      return input.value;
    }

    set(key, value) {
      const input = this.inputs[key];
      if (input.type === "checkbox") input.checked = !!value;
      else input.value = String(value);
      this.show(key);
    }

    bounds(key, max, step) {
      const input = this.inputs[key];
      input.max = String(max);
      if (step !== undefined) input.step = String(step);
      this.show(key);
    }

    settings() {
      const out = {};
      for (const key of Object.keys(this.inputs)) out[key] = this.get(key);
      return out;
    }
  }

  /** The key numbers: one <b data-key> per number, with its exact value in data-value. */
  class Numbers {
    constructor(parent, data, keys) {
      this.kinds = {};
      this.labels = {};
      this.nodes = {};
      this.absent = data.absent;
      const wrap = el("div", { class: "sqolab-live-numbers" });
      for (const n of data.numbers) {
        this.kinds[n.key] = n.kind;
        this.labels[n.key] = n.label;
        if (keys && !keys.includes(n.key)) continue;
        const b = el("b", { "data-key": n.key });
        wrap.append(el("span", { class: "sqolab-live-number" }, [n.label + ": ", b]));
        this.nodes[n.key] = b;
      }
      parent.append(wrap);
      this.values = {};
    }

    text(key, value) {
      return fmt(value, this.kinds[key], this.absent);
    }

    /** Numbers as a table: one row per measure, one column per policy or business. */
    table(parent, caption, columns, rows, keyOf) {
      const head = el("tr", {}, [el("th", { scope: "col" }, [""]),
        ...columns.map(([, title]) => el("th", { scope: "col" }, [title]))]);
      const body = rows.map(([row, title]) => el("tr", {}, [el("th", { scope: "row" }, [title]),
        ...columns.map(([col]) => {
          const b = el("b", { "data-key": keyOf(col, row) });
          this.nodes[keyOf(col, row)] = b;
          return el("td", {}, [b]);
        })]));
      parent.append(el("table", { class: "sqolab-live-table" }, [
        el("caption", {}, [caption]), el("thead", {}, [head]), el("tbody", {}, body)]));
    }

    /** Show a number in its chip (or in `node`, e.g. a chart's bar text). */
    set(key, value, node) {
      const target = node || this.nodes[key];
      this.values[key] = value;
      if (!target) return;
      target.setAttribute("data-key", key);
      target.setAttribute("data-value", value === null || value === undefined ? "null" : String(value));
      target.textContent = this.text(key, value);
    }
  }

  // ----------------------------------------------------------------------------- charts

  /** Horizontal bars with their labels and counts (no message by colour alone). */
  class Bars {
    constructor(parent, title, xlabel, rows, opts) {
      const o = Object.assign({ width: 360, labelWidth: 150, row: 24 }, opts || {});
      this.o = o;
      this.rows = rows;
      const height = 34 + rows.length * o.row + 34;
      this.svg = svgEl("svg", {
        viewBox: `0 0 ${o.width} ${height}`, role: "img", class: "sqolab-live-chart",
        "aria-label": title,
      });
      this.svg.append(svgEl("text", { x: 0, y: 14, class: "sqolab-live-chart-title" }, title));
      this.plotW = o.width - o.labelWidth - 60;
      const x0 = o.labelWidth;
      const bottom = 30 + rows.length * o.row;
      for (const t of [0, 0.5, 1]) {
        this.svg.append(svgEl("line", {
          x1: x0 + t * this.plotW, x2: x0 + t * this.plotW, y1: 24, y2: bottom, class: "sqolab-live-grid",
        }));
        this.svg.append(svgEl("text", {
          x: x0 + t * this.plotW, y: bottom + 13, "text-anchor": "middle", class: "sqolab-live-tick",
        }, `${Math.round(t * 100)}%`));
      }
      this.svg.append(svgEl("text", {
        x: x0 + this.plotW / 2, y: bottom + 28, "text-anchor": "middle", class: "sqolab-live-axis",
      }, xlabel));
      this.bars = [];
      this.texts = [];
      rows.forEach((r, i) => {
        const y = 30 + i * o.row;
        this.svg.append(svgEl("text", {
          x: x0 - 6, y: y + o.row / 2 + 4, "text-anchor": "end", class: "sqolab-live-label",
        }, r.label));
        const bar = svgEl("rect", {
          x: x0, y: y + 3, height: o.row - 6, width: 0, fill: r.colour, class: "sqolab-live-bar",
        });
        if (r.dash) bar.setAttribute("stroke-dasharray", "4 2");
        this.svg.append(bar);
        const text = svgEl("text", { x: x0 + 4, y: y + o.row / 2 + 4, class: "sqolab-live-value" }, "");
        this.svg.append(text);
        this.bars.push(bar);
        this.texts.push(text);
      });
      parent.append(this.svg);
    }

    /** shares: 0..1 per row (NaN/null: no bar); returns the text nodes to fill. */
    update(shares, alt) {
      shares.forEach((s, i) => {
        const w = s === null || Number.isNaN(s) ? 0 : Math.max(0, Math.min(1, s)) * this.plotW;
        this.bars[i].setAttribute("width", w.toFixed(1));
        this.texts[i].setAttribute("x", (this.o.labelWidth + w + 4).toFixed(1));
      });
      this.svg.setAttribute("aria-label", alt);
      return this.texts;
    }
  }

  /** A line chart on [0, xmax] x [0, ymax] with vertical markers and dots. */
  class Lines {
    constructor(parent, title, xlabel, ylabel, xmax, ymax, xtick, ytick, legendBelow) {
      this.legendBelow = !!legendBelow;
      this.w = 360; this.h = 250; this.l = 48; this.r = 18; this.t = 24; this.b = 44;
      this.xmax = xmax; this.ymax = ymax;
      this.svg = svgEl("svg", {
        viewBox: `0 0 ${this.w} ${this.h}`, role: "img", class: "sqolab-live-chart", "aria-label": title,
      });
      this.svg.append(svgEl("text", { x: 0, y: 14, class: "sqolab-live-chart-title" }, title));
      for (let k = 0; k <= 4; k++) {
        const xv = (xmax * k) / 4;
        const yv = (ymax * k) / 4;
        this.svg.append(svgEl("line", {
          x1: this.x(xv), x2: this.x(xv), y1: this.y(0), y2: this.y(ymax), class: "sqolab-live-grid",
        }));
        this.svg.append(svgEl("line", {
          x1: this.x(0), x2: this.x(xmax), y1: this.y(yv), y2: this.y(yv), class: "sqolab-live-grid",
        }));
        this.svg.append(svgEl("text", {
          x: this.x(xv), y: this.y(0) + 13, "text-anchor": "middle", class: "sqolab-live-tick",
        }, xtick(xv)));
        this.svg.append(svgEl("text", {
          x: this.x(0) - 4, y: this.y(yv) + 4, "text-anchor": "end", class: "sqolab-live-tick",
        }, ytick(yv)));
      }
      this.svg.append(svgEl("text", {
        x: this.l + (this.w - this.l - this.r) / 2, y: this.h - 6, "text-anchor": "middle",
        class: "sqolab-live-axis",
      }, xlabel));
      this.svg.append(svgEl("text", {
        x: 0, y: 0, transform: `translate(11 ${this.t + (this.h - this.t - this.b) / 2}) rotate(-90)`,
        "text-anchor": "middle", class: "sqolab-live-axis",
      }, ylabel));
      this.legend = svgEl("g", {});
      this.svg.append(this.legend);
      this.items = 0;
      parent.append(this.svg);
    }

    x(v) { return this.l + (v / this.xmax) * (this.w - this.l - this.r); }
    y(v) { return this.h - this.b - (v / this.ymax) * (this.h - this.t - this.b); }

    key(text, colour, dash) {
      const y = this.legendBelow ? this.h - this.b - 8 - 13 * this.items++ : this.t + 8 + 13 * this.items++;
      const x = this.w - this.r - 118;
      this.legend.append(svgEl("line", {
        x1: x, x2: x + 16, y1: y - 4, y2: y - 4, stroke: colour, "stroke-width": 2,
        "stroke-dasharray": dash || "none",
      }));
      this.legend.append(svgEl("text", { x: x + 20, y: y, class: "sqolab-live-legend" }, text));
    }

    line(colour, dash, label) {
      const path = svgEl("path", {
        fill: "none", stroke: colour, "stroke-width": 2, "stroke-dasharray": dash || "none",
      });
      this.svg.insertBefore(path, this.legend);
      if (label) this.key(label, colour, dash);
      return path;
    }

    points(path, xs, ys) {
      let d = "";
      for (let i = 0; i < xs.length; i++) {
        if (Number.isNaN(ys[i])) continue;
        d += `${d ? "L" : "M"}${this.x(xs[i]).toFixed(1)},${this.y(ys[i]).toFixed(1)}`;
      }
      path.setAttribute("d", d);
    }

    vline(colour, dash, label) {
      const line = svgEl("line", {
        y1: this.y(0), y2: this.y(this.ymax), stroke: colour, "stroke-width": 1.5,
        "stroke-dasharray": dash || "none", class: "sqolab-live-marker",
      });
      this.svg.insertBefore(line, this.legend);
      if (label) this.key(label, colour, dash);
      return line;
    }

    moveV(line, x) {
      const visible = x !== null && !Number.isNaN(x);
      line.setAttribute("visibility", visible ? "visible" : "hidden");
      if (visible) { line.setAttribute("x1", this.x(x)); line.setAttribute("x2", this.x(x)); }
    }

    dots(colour, shape) {
      const g = svgEl("g", { fill: colour, class: `sqolab-live-dots sqolab-live-${shape}` });
      this.svg.insertBefore(g, this.legend);
      g.shape = shape;
      return g;
    }

    moveDots(g, pts) {
      g.replaceChildren();
      for (const [x, y] of pts) {
        if (x === null || y === null || Number.isNaN(x) || Number.isNaN(y)) continue;
        const cx = this.x(x), cy = this.y(y);
        if (g.shape === "cross") {
          g.append(svgEl("path", {
            d: `M${cx - 5},${cy - 5}L${cx + 5},${cy + 5}M${cx - 5},${cy + 5}L${cx + 5},${cy - 5}`,
            stroke: g.getAttribute("fill"), "stroke-width": 3,
          }));
        } else g.append(svgEl("circle", { cx: cx, cy: cy, r: g.shape === "star" ? 6 : 4.5 }));
      }
    }
  }

  // ------------------------------------------------------------------------- the labs

  function frame(root, data, title, intro) {
    root.replaceChildren();
    root.classList.add("sqolab-live-on");
    const heading = `sqolab-live-${++uid}`;
    const section = el("section", { "aria-labelledby": heading }, [
      el("p", { class: "sqolab-live-title", id: heading }, [title]),
      el("p", { class: "sqolab-live-intro" }, [intro]),
    ]);
    root.append(section);
    const controls = el("div", { class: "sqolab-live-controls", role: "group", "aria-label": "controls" });
    section.append(controls);
    const live = el("p", { class: "sqolab-live-summary", "aria-live": "polite", role: "status" });
    return { section: section, controls: controls, live: live };
  }

  const INTRO = "This version runs in your browser: no install, no kernel. Move a control with the " +
    "mouse or the keyboard (Tab, then the arrow keys) and the numbers and the chart follow.";

  function contextOptions(data) {
    return Object.keys(data.contexts).map((c) => [data.contexts[c].title, c]);
  }

  function levelOptions(data, name) {
    return [["not applied", "off"], ...Object.keys(data.levels[name]).map((v) => [v.replace("_", " "), v])];
  }

  function euros(v) { return `${plain(v)} EUR`; }

  /** Lab 1 (and the start page, `simple`): criteria -> SQOs, funnel and why leads fail. */
  function qualifyLab(root, data, simple) {
    const ctxs = {};
    for (const c of Object.keys(data.contexts)) ctxs[c] = pipeline(data.contexts[c]);
    const first = Object.keys(ctxs)[0];
    const f = frame(root, data, simple ? "Live: qualify with a framework" : "Live: qualify sample leads", INTRO);
    const C = new Controls(f.controls, (key) => changed(key));
    const crit0 = ctxs[first].presets[ctxs[first].framework];
    const r1 = C.row(f.controls);
    C.select(r1, "context", "Context", contextOptions(data), first);
    const presets = data.frameworks.map((n) => [n, n]);
    C.select(r1, "preset", "Framework", simple ? presets : [...presets, ["custom", "custom"]],
      ctxs[first].framework);
    if (!simple) {
      const med = ctxs[first].median_deal_eur;
      let r = C.row(f.controls);
      C.check(r, "budget_on", "Budget", false);
      C.range(r, "budget", "min budget [EUR]", 0, 2 * med, med / 100, 0, euros);
      r = C.row(f.controls);
      C.select(r, "authority", "Authority at least", levelOptions(data, "authority"), "off");
      C.select(r, "need", "Need at least", levelOptions(data, "need"), "off");
      r = C.row(f.controls);
      C.check(r, "timeline_on", "Timeline", false);
      C.range(r, "timeline", "max timeline [months]", 0, 24, 0.5, 6, (v) => `${plain(v)} months`);
      r = C.row(f.controls);
      C.check(r, "engagement_on", "Engagement", false);
      C.range(r, "engagement", "min engagement [points]", 0, 100, 1, 50, (v) => `${v} points`);
      r = C.row(f.controls);
      C.check(r, "fit_on", "Fit", false);
      C.range(r, "fit", "min fit [points]", 0, 100, 1, 50, (v) => `${v} points`);
      r = C.row(f.controls);
      C.range(r, "min_met", "criteria to meet [count]", 0, 4, 1, crit0.min_met,
        (v) => `${v} of ${C.inputs.min_met.max}`);
      C.check(r, "unknown", "unknown counts as met", crit0.unknown);
    }
    const keys = data.numbers.map((n) => n.key).filter((k) => !k.startsWith("fail_"));
    const N = new Numbers(f.section, data, keys);
    f.section.append(f.live);
    const charts = el("div", { class: "sqolab-live-charts" });
    f.section.append(charts);
    const col = data.colours;
    const funnel = new Bars(charts, "Funnel", "share of leads [%]", [
      { label: "leads", colour: col.not_sqo }, { label: "SQOs", colour: col.sqo },
      { label: "SQOs won", colour: col.won }, { label: "winners missed", colour: col.missed },
    ]);
    const fails = simple ? null : new Bars(charts, "Why leads fail", "share of leads failing it [%]",
      data.criteria.map((c) => ({ label: c, colour: col.wasted })));

    function criteria() {
      const ctx = C.get("context");
      if (simple) return ctxs[ctx].presets[C.get("preset")];
      const s = C.settings();
      const crit = {
        budget: s.budget_on ? s.budget : null,
        authority: s.authority === "off" ? null : s.authority,
        need: s.need === "off" ? null : s.need,
        timeline: s.timeline_on ? s.timeline : null,
        engagement: s.engagement_on ? s.engagement : null,
        fit: s.fit_on ? s.fit : null,
        unknown: s.unknown,
      };
      const n = data.criteria.filter((c) => crit[c] !== null).length;
      crit.min_met = Math.min(s.min_met, n);
      return crit;
    }

    function applyPreset(name) {
      if (simple || name === "custom") return;
      const p = ctxs[C.get("context")].presets[name];
      C.set("preset", name);
      for (const c of ["budget", "timeline", "engagement", "fit"]) {
        C.set(`${c}_on`, p[c] !== null);
        if (p[c] !== null) C.set(c, p[c]);
      }
      C.set("authority", p.authority || "off");
      C.set("need", p.need || "off");
      C.set("unknown", p.unknown);
      C.bounds("min_met", data.criteria.filter((c) => p[c] !== null).length);
      C.set("min_met", p.min_met);
    }

    function samePolicy(a, b) {
      for (const c of [...data.criteria, "unknown", "min_met"]) if (a[c] !== b[c]) return false;
      return true;
    }

    function adapt(key) {
      if (simple) return;
      for (const c of ["budget", "timeline", "engagement", "fit"]) {
        C.inputs[c].disabled = !C.get(`${c}_on`);
      }
      const crit = criteria();
      const n = data.criteria.filter((c) => crit[c] !== null).length;
      const input = C.inputs.min_met;
      const wasAll = C.get("min_met") >= Number(input.max);
      C.bounds("min_met", n);
      if (wasAll || C.get("min_met") > n) C.set("min_met", n);
      input.disabled = n === 0;
      const preset = C.get("preset");
      if (preset !== "custom" && !samePolicy(criteria(), ctxs[C.get("context")].presets[preset])) {
        C.set("preset", "custom");
      }
    }

    function changed(key) {
      C.show(key);
      if (!simple && key === "context") {
        const med = ctxs[C.get("context")].median_deal_eur;
        C.bounds("budget", 2 * med, med / 100);
        applyPreset(C.get("preset"));
      } else if (key === "preset") applyPreset(C.get("preset"));
      adapt(key);
      update();
    }

    function update() {
      const p = ctxs[C.get("context")];
      const crit = criteria();
      const met = criteriaMet(p, crit, data.criteria, data.levels);
      const sqo = qualify(p, met, crit.min_met);
      const out = evaluate(p, sqo, null, null);
      const n = Math.max(out.n_leads, 1);
      const values = {
        n_sqo: out.n_sqo, n_leads: out.n_leads, share_sqo: out.n_sqo / n, won: out.won,
        win_rate: out.win_rate, missed: out.missed, revenue_per_hour: out.revenue_per_hour_eur,
      };
      for (const k of keys) N.set(k, values[k]);
      const counts = [out.n_leads, out.n_sqo, out.won, out.missed];
      const texts = funnel.update(counts.map((c) => c / n),
        `Funnel: ${N.text("n_leads", out.n_leads)} leads, ${N.text("n_sqo", out.n_sqo)} SQOs, ` +
        `${N.text("won", out.won)} SQOs won, ${N.text("missed", out.missed)} winners missed.`);
      counts.forEach((c, i) => { texts[i].textContent = fmt(c, "int", data.absent); });
      if (fails) {
        const failing = {};
        for (const [name, m] of met) {
          let k = 0;
          for (let i = 0; i < p.n; i++) k += 1 - m[i];
          failing[name] = k;
        }
        const shares = data.criteria.map((c) => (c in failing ? failing[c] / n : null));
        const alt = "Share of leads failing each criterion: " + data.criteria.map((c) =>
          `${c} ${c in failing ? N.text(`fail_${c}`, failing[c]) : "not applied"}`).join(", ") + ".";
        const t = fails.update(shares, alt);
        data.criteria.forEach((c, i) => N.set(`fail_${c}`, c in failing ? failing[c] : null, t[i]));
      }
      f.live.textContent = `${N.text("n_sqo", out.n_sqo)} of ${N.text("n_leads", out.n_leads)} ` +
        `leads are SQOs (${N.text("share_sqo", values.share_sqo)}); ${N.text("won", out.won)} won, ` +
        `win rate ${N.text("win_rate", out.win_rate)}; ${N.text("missed", out.missed)} winners ` +
        `missed; revenue per sales hour ${N.text("revenue_per_hour", out.revenue_per_hour_eur)}.`;
    }

    applyPreset(C.get("preset"));
    adapt("preset");
    update();
    return api(C, N, changed, update, ["context", "preset"], () => criteria());
  }

  /** Lab 2: the score threshold and the sales capacity on the trade-off curve. */
  function tradeoffLab(root, data) {
    const ctxs = {};
    for (const c of Object.keys(data.contexts)) {
      ctxs[c] = pipeline(data.contexts[c]);
      ctxs[c].order = orderBy(ctxs[c].score);
      const cv = ctxs[c].curve;
      const rows = cv.threshold.length;
      ctxs[c].totalHours = rows ? cv.hours_spent[rows - 1] : 0;
      ctxs[c].totalRevenue = rows ? cv.revenue_won_eur[rows - 1] : 0;
      const stride = Math.max(1, Math.ceil(rows / 400));
      ctxs[c].plot = Array.from({ length: Math.ceil(rows / stride) }, (_, i) => Math.min(rows - 1, i * stride));
    }
    const first = Object.keys(ctxs)[0];
    const f = frame(root, data, "Live: the strictness trade-off", INTRO);
    const C = new Controls(f.controls, (key) => changed(key));
    const r = C.row(f.controls);
    C.select(r, "context", "Context", contextOptions(data), first);
    const cap = ctxs[first].capacity;
    const r2 = C.row(f.controls);
    C.range(r2, "threshold", "score threshold [points]", 0, 100, 1, 60, (v) => `${v} points`);
    C.range(r2, "capacity", "sales capacity [hours]", 0, cap.max, cap.step,
      Math.round((0.25 * cap.max) / cap.step) * cap.step, (v) => `${plain(v)} hours`);
    const N = new Numbers(f.section, data);
    const note = el("p", { class: "sqolab-live-note" });
    f.section.append(note, f.live);
    const charts = el("div", { class: "sqolab-live-charts" });
    f.section.append(charts);
    const col = data.colours;
    const pct = (v) => `${Math.round(v * 100)}%`;
    const left = new Lines(charts, "Win rate vs capture rate", "score threshold [points]", "rate [%]",
      100, 1, (v) => String(v), pct);
    const winLine = left.line(col.sqo, null, "win rate");
    const capLine = left.line(col.won, "6 3", "capture rate");
    const nowLine = left.vline("currentColor", null, "your threshold");
    const bestLine = left.vline(col.accent, "2 2", "best under capacity");
    const allDots = left.dots("currentColor", "dot");
    const capDots = left.dots(col.wasted, "cross");
    const right = new Lines(charts, "Revenue vs effort", "sales hours spent [% of all]",
      "revenue won [% of winnable]", 1, 1, pct, pct, true);
    const revLine = right.line(col.sqo, null, "all SQOs worked");
    const capV = right.vline(col.wasted, "6 3", "capacity");
    const bestDot = right.dots(col.accent, "star");
    const nowDot = right.dots("currentColor", "dot");
    const workedDot = right.dots(col.wasted, "cross");

    function drawCurves() {
      const p = ctxs[C.get("context")];
      const cv = p.curve;
      const xs = p.plot.map((i) => cv.threshold[i]);
      left.points(winLine, xs, p.plot.map((i) => cv.win_rate[i]));
      left.points(capLine, xs, p.plot.map((i) => cv.capture_rate[i]));
      right.points(revLine, p.plot.map((i) => cv.hours_spent[i] / (p.totalHours || 1)),
        p.plot.map((i) => cv.revenue_won_eur[i] / (p.totalRevenue || 1)));
    }

    /** The curve row of "score >= t": the smallest distinct score >= t (none: null). */
    function rowAt(cv, t) {
      let lo = 0, hi = cv.threshold.length; // thresholds descend
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cv.threshold[mid] >= t) lo = mid + 1; else hi = mid;
      }
      return lo === 0 ? null : lo - 1;
    }

    /** The engine's best_threshold: most revenue within the hours, ties to the stricter. */
    function best(cv, capacity) {
      let row = null;
      for (let i = 0; i < cv.threshold.length; i++) {
        if (!(cv.hours_spent[i] <= capacity)) continue;
        if (row === null || cv.revenue_won_eur[i] > cv.revenue_won_eur[row]) row = i;
      }
      return row;
    }

    function changed(key) {
      C.show(key);
      if (key === "context") {
        const p = ctxs[C.get("context")];
        const share = C.get("capacity") / Math.max(Number(C.inputs.capacity.max), 1);
        C.bounds("capacity", p.capacity.max, p.capacity.step);
        C.set("capacity", Math.round((share * p.capacity.max) / p.capacity.step) * p.capacity.step);
        drawCurves();
      }
      update();
    }

    function update() {
      const p = ctxs[C.get("context")];
      const cv = p.curve;
      const t = C.get("threshold");
      const capacity = C.get("capacity");
      const out = evaluate(p, atLeast(p.score, t), capacity, p.order);
      const row = rowAt(cv, t);
      const b = best(cv, capacity);
      const binds = out.n_worked < out.n_sqo;
      const values = {
        n_sqo: out.n_sqo, n_leads: out.n_leads, n_worked: out.n_worked, win_rate: out.win_rate,
        capture_rate: out.capture_rate, revenue_missed: out.revenue_missed_eur,
        wasted_hours: out.wasted_hours, revenue_per_hour: out.revenue_per_hour_eur,
        best_threshold: b === null ? null : cv.threshold[b],
        win_rate_all: row === null ? null : cv.win_rate[row],
        capture_rate_all: row === null ? null : cv.capture_rate[row],
      };
      for (const k of Object.keys(values)) N.set(k, values[k]);
      note.textContent = binds
        ? `Capacity binds: ${N.text("n_worked", out.n_worked)} of ${N.text("n_sqo", out.n_sqo)} SQOs ` +
          "can be worked in these hours; the rest wait. The rates are within capacity (crosses); " +
          "the dots show them if all SQOs were worked."
        : `Capacity is enough: all ${N.text("n_sqo", out.n_sqo)} SQOs can be worked.`;
      note.dataset.binds = binds ? "yes" : "no";
      left.moveV(nowLine, t);
      left.moveV(bestLine, values.best_threshold);
      left.moveDots(allDots, row === null ? [] : [[t, cv.win_rate[row]], [t, cv.capture_rate[row]]]);
      left.moveDots(capDots, binds ? [[t, out.win_rate], [t, out.capture_rate]] : []);
      const H = p.totalHours || 1, R = p.totalRevenue || 1;
      right.moveV(capV, Math.min(1, capacity / H));
      right.moveDots(nowDot, row === null ? [] : [[cv.hours_spent[row] / H, cv.revenue_won_eur[row] / R]]);
      right.moveDots(workedDot, binds ? [[out.hours_spent / H, out.revenue_won_eur / R]] : []);
      right.moveDots(bestDot, b === null ? [] : [[cv.hours_spent[b] / H, cv.revenue_won_eur[b] / R]]);
      const alt = `At a threshold of ${t} points: win rate ${N.text("win_rate", out.win_rate)}, ` +
        `capture rate ${N.text("capture_rate", out.capture_rate)}, ${N.text("n_worked", out.n_worked)} ` +
        `of ${N.text("n_sqo", out.n_sqo)} SQOs worked in ${plain(capacity)} hours; best threshold ` +
        `under capacity: ${N.text("best_threshold", values.best_threshold)}.`;
      left.svg.setAttribute("aria-label", "Win rate and capture rate against the score threshold. " + alt);
      right.svg.setAttribute("aria-label", "Revenue won against sales hours spent. " + alt);
      f.live.textContent = alt + ` Missed revenue ${N.text("revenue_missed", out.revenue_missed_eur)}; ` +
        `revenue per hour ${N.text("revenue_per_hour", out.revenue_per_hour_eur)}.`;
    }

    drawCurves();
    update();
    return api(C, N, changed, update, ["context"]);
  }

  /** Lab 3: what SQOs bring: win rate and revenue per hour, SQOs against all leads. */
  function benefitsLab(root, data) {
    const ctxs = {};
    for (const c of Object.keys(data.contexts)) ctxs[c] = pipeline(data.contexts[c]);
    const first = Object.keys(ctxs)[0];
    const f = frame(root, data, "Live: what SQOs bring", INTRO);
    const C = new Controls(f.controls, (key) => { C.show(key); update(); });
    const r = C.row(f.controls);
    C.select(r, "context", "Context", contextOptions(data), first);
    C.range(r, "threshold", "score threshold [points]", 0, 100, 5, 60, (v) => `${v} points`);
    const N = new Numbers(f.section, data);
    f.section.append(f.live);
    const charts = el("div", { class: "sqolab-live-charts" });
    f.section.append(charts);
    const col = data.colours;
    const rates = new Bars(charts, "Win rate", "win rate [%]", [
      { label: "all leads", colour: col.not_sqo }, { label: "SQOs", colour: col.sqo }]);
    const money = new Bars(charts, "Efficiency", "revenue per sales hour [% of the higher]", [
      { label: "all leads", colour: col.not_sqo }, { label: "SQOs", colour: col.sqo }]);
    const everyone = {};
    for (const c of Object.keys(ctxs)) {
      everyone[c] = evaluate(ctxs[c], new Uint8Array(ctxs[c].n).fill(1), null, null);
    }

    function update() {
      const p = ctxs[C.get("context")];
      const t = C.get("threshold");
      const all = everyone[C.get("context")];
      const sqo = evaluate(p, atLeast(p.score, t), null, null);
      const values = {
        n_sqo: sqo.n_sqo, n_leads: sqo.n_leads, win_rate_sqo: sqo.win_rate, win_rate_all: all.win_rate,
        revenue_per_hour_sqo: sqo.revenue_per_hour_eur, revenue_per_hour_all: all.revenue_per_hour_eur,
        hours_sqo: sqo.hours_spent, hours_all: all.hours_spent,
        revenue_won_sqo: sqo.revenue_won_eur, revenue_won_all: all.revenue_won_eur,
      };
      for (const k of Object.keys(values)) N.set(k, values[k]);
      const top = Math.max(all.revenue_per_hour_eur || 0, sqo.revenue_per_hour_eur || 0) || 1;
      const alt = `At a score threshold of ${t} points, ${N.text("n_sqo", sqo.n_sqo)} SQOs: win rate ` +
        `${N.text("win_rate_sqo", sqo.win_rate)} against ${N.text("win_rate_all", all.win_rate)} for ` +
        `all leads; revenue per sales hour ${N.text("revenue_per_hour_sqo", sqo.revenue_per_hour_eur)} ` +
        `against ${N.text("revenue_per_hour_all", all.revenue_per_hour_eur)}.`;
      const rt = rates.update([all.win_rate, sqo.win_rate], alt);
      rt[0].textContent = N.text("win_rate_all", all.win_rate);
      rt[1].textContent = N.text("win_rate_sqo", sqo.win_rate);
      const mt = money.update([all.revenue_per_hour_eur / top, sqo.revenue_per_hour_eur / top], alt);
      mt[0].textContent = N.text("revenue_per_hour_all", all.revenue_per_hour_eur);
      mt[1].textContent = N.text("revenue_per_hour_sqo", sqo.revenue_per_hour_eur);
      f.live.textContent = alt;
    }

    update();
    return api(C, N, (key) => { C.show(key); update(); }, update, ["context"]);
  }

  /** Lab 4: what SQOs cost: the gate, k of n and the score, and the winners each turns away. */
  function drawbacksLab(root, data) {
    const ctxs = {};
    for (const c of Object.keys(data.contexts)) ctxs[c] = pipeline(data.contexts[c]);
    const first = Object.keys(ctxs)[0];
    const f = frame(root, data, "Live: what SQOs cost", INTRO);
    const C = new Controls(f.controls, (key) => changed(key));
    const r = C.row(f.controls);
    C.select(r, "context", "Context", contextOptions(data), first);
    C.select(r, "framework", "Framework (gate)", data.frameworks.map((n) => [n, n]), ctxs[first].framework);
    const r2 = C.row(f.controls);
    C.range(r2, "k", "k of n: criteria to meet [count]", 1, 4, 1, 3, (v) => `${v} of ${C.inputs.k.max}`);
    C.range(r2, "threshold", "score threshold [points]", 0, 100, 1, 55, (v) => `${v} points`);
    C.check(r2, "unknown", "unknown counts as met", false);
    const N = new Numbers(f.section, data, ["excluded_winners"]);
    N.table(f.section, "Three policies on the same leads",
      [["gate", "gate (all criteria)"], ["kofn", "k of n"], ["score", "score"]],
      [["n_sqo", "SQOs"], ["won", "won"], ["win_rate", "win rate"], ["capture_rate", "capture rate"],
        ["revenue_missed", "revenue missed"]], (col, row) => `${col}_${row}`);
    f.section.append(f.live);
    const charts = el("div", { class: "sqolab-live-charts" });
    f.section.append(charts);
    const col = data.colours;
    const policies = new Bars(charts, "Three policies", "rate [%]", [
      { label: "gate: win rate", colour: col.sqo }, { label: "gate: capture", colour: col.won, dash: 1 },
      { label: "k of n: win rate", colour: col.sqo }, { label: "k of n: capture", colour: col.won, dash: 1 },
      { label: "score: win rate", colour: col.sqo }, { label: "score: capture", colour: col.won, dash: 1 },
    ]);
    const cuts = new Bars(charts, "Why the gate excluded winners", "share of excluded winners [%]",
      data.criteria.map((c) => ({ label: c, colour: col.missed })));

    function gate() {
      const p = ctxs[C.get("context")];
      const crit = Object.assign({}, p.presets[C.get("framework")]);
      crit.unknown = C.get("unknown");
      crit.min_met = data.criteria.filter((c) => crit[c] !== null).length;
      return crit;
    }

    function changed(key) {
      C.show(key);
      const n = gate().min_met;
      C.bounds("k", Math.max(n, 1));
      if (C.get("k") > n) C.set("k", Math.max(n, 1));
      update();
    }

    let memo = null;

    /** The gate's and k of n's outcomes, and the winners the gate turned away, by criterion. */
    function gateAndKofN(p, g, k, key) {
      const met = criteriaMet(p, g, data.criteria, data.levels);
      const count = countMet(p, met);
      const gateSqo = atLeast(count, g.min_met);
      const result = { key: key, gate: evaluate(p, gateSqo, null, null),
        kofn: evaluate(p, atLeast(count, k), null, null), excluded: 0, cut: {} };
      const out = new Uint8Array(p.n); // winners the gate turned away
      for (let i = 0; i < p.n; i++) {
        out[i] = gateSqo[i] === 0 && p.outcome[i] === WON ? 1 : 0;
        result.excluded += out[i];
      }
      for (const [name, m] of met) {
        let c = 0;
        for (let i = 0; i < p.n; i++) c += out[i] & (1 - m[i]);
        result.cut[name] = c;
      }
      return result;
    }

    function update() {
      const p = ctxs[C.get("context")];
      const g = gate();
      const k = Math.min(C.get("k"), g.min_met);
      // the gate and k of n do not depend on the score threshold: count them only when they change
      const memoKey = JSON.stringify([C.get("context"), C.get("framework"), g.unknown, k]);
      if (!memo || memo.key !== memoKey) memo = gateAndKofN(p, g, k, memoKey);
      const outcomes = { gate: memo.gate, kofn: memo.kofn,
        score: evaluate(p, atLeast(p.score, C.get("threshold")), null, null) };
      const shares = [];
      for (const [name, out] of Object.entries(outcomes)) {
        N.set(`${name}_n_sqo`, out.n_sqo);
        N.set(`${name}_won`, out.won);
        N.set(`${name}_win_rate`, out.win_rate);
        N.set(`${name}_capture_rate`, out.capture_rate);
        N.set(`${name}_revenue_missed`, out.revenue_missed_eur);
        shares.push(out.win_rate, out.capture_rate);
      }
      const excluded = memo.excluded, cut = memo.cut;
      const texts = policies.update(shares, "Win rate and capture rate of the gate, the k-of-n " +
        `rule (${k} of ${g.min_met}) and the score: ` + shares.map((s) => fmt(s, "pct", data.absent)).join(", ") + ".");
      shares.forEach((s, i) => { texts[i].textContent = fmt(s, "pct", data.absent); });
      N.set("excluded_winners", excluded);
      const ct = cuts.update(data.criteria.map((c) => (c in cut && excluded ? cut[c] / excluded : null)),
        `Of ${excluded} winners the gate excluded, failing each criterion: ` +
        data.criteria.map((c) => `${c} ${c in cut ? cut[c] : "not in the gate"}`).join(", ") + ".");
      data.criteria.forEach((c, i) => N.set(`cut_${c}`, c in cut ? cut[c] : null, ct[i]));
      f.live.textContent = `The gate makes ${N.text("gate_n_sqo", N.values.gate_n_sqo)} SQOs and ` +
        `excludes ${N.text("excluded_winners", excluded)} winners; k of n makes ` +
        `${N.text("kofn_n_sqo", N.values.kofn_n_sqo)}, the score ${N.text("score_n_sqo", N.values.score_n_sqo)}.`;
    }

    changed("framework");
    return api(C, N, changed, update, ["context", "framework"]);
  }

  /** Lab 5: three businesses, each with its framework. */
  function contextsLab(root, data) {
    const ctxs = {};
    for (const c of Object.keys(data.contexts)) ctxs[c] = pipeline(data.contexts[c]);
    const f = frame(root, data, "Live: three businesses, three frameworks", INTRO);
    const C = new Controls(f.controls, (key) => changed(key));
    for (const c of Object.keys(ctxs)) {
      const r = C.row(f.controls);
      r.append(el("span", { class: "sqolab-live-rowtitle" }, [ctxs[c].title]));
      C.select(r, `framework_${c}`, ["Framework", ` (${ctxs[c].title})`],
        data.frameworks.map((n) => [n, n]), ctxs[c].framework);
      C.check(r, `unknown_${c}`, ["unknown counts as met", ` (${ctxs[c].title})`],
        ctxs[c].presets[ctxs[c].framework].unknown);
    }
    const N = new Numbers(f.section, data, []);
    N.table(f.section, "The three businesses side by side",
      Object.keys(ctxs).map((c) => [c, ctxs[c].title]),
      [["n_sqo", "SQOs"], ["n_leads", "leads"], ["share_sqo", "share of leads"], ["win_rate", "win rate"],
        ["capture_rate", "capture rate"], ["revenue_missed", "revenue missed"],
        ["revenue_per_hour", "revenue per sales hour"]], (col, row) => `${row}_${col}`);
    f.section.append(f.live);
    const charts = el("div", { class: "sqolab-live-charts" });
    f.section.append(charts);
    const col = data.colours;
    const bars = {};
    for (const c of Object.keys(ctxs)) {
      bars[c] = new Bars(charts, ctxs[c].title, "rate [%]", [
        { label: "share of leads SQO", colour: col.sqo }, { label: "win rate", colour: col.won },
        { label: "capture rate", colour: col.accent }], { width: 300, labelWidth: 120 });
    }

    function changed(key) {
      C.show(key);
      if (key.startsWith("framework_")) { // a new framework brings its own rule for unknowns
        const c = key.slice("framework_".length);
        C.set(`unknown_${c}`, ctxs[c].presets[C.get(key)].unknown);
      }
      update();
    }

    function update() {
      const parts = [];
      for (const c of Object.keys(ctxs)) {
        const p = ctxs[c];
        const crit = Object.assign({}, p.presets[C.get(`framework_${c}`)]);
        crit.unknown = C.get(`unknown_${c}`);
        const out = evaluate(p, qualify(p, criteriaMet(p, crit, data.criteria, data.levels), crit.min_met), null, null);
        const share = out.n_sqo / Math.max(out.n_leads, 1);
        N.set(`n_sqo_${c}`, out.n_sqo);
        N.set(`n_leads_${c}`, out.n_leads);
        N.set(`share_sqo_${c}`, share);
        N.set(`win_rate_${c}`, out.win_rate);
        N.set(`capture_rate_${c}`, out.capture_rate);
        N.set(`revenue_missed_${c}`, out.revenue_missed_eur);
        N.set(`revenue_per_hour_${c}`, out.revenue_per_hour_eur);
        const text = `${p.title} with ${C.get(`framework_${c}`)}: ${N.text(`n_sqo_${c}`, out.n_sqo)} SQOs, ` +
          `win rate ${N.text(`win_rate_${c}`, out.win_rate)}, capture rate ` +
          `${N.text(`capture_rate_${c}`, out.capture_rate)}, revenue per sales hour ` +
          `${N.text(`revenue_per_hour_${c}`, out.revenue_per_hour_eur)}.`;
        const t = bars[c].update([share, out.win_rate, out.capture_rate], text);
        [share, out.win_rate, out.capture_rate].forEach((v, i) => { t[i].textContent = fmt(v, "pct", data.absent); });
        parts.push(text);
      }
      f.live.textContent = parts.join(" ");
    }

    update();
    return api(C, N, changed, update, Object.keys(ctxs).map((c) => `framework_${c}`));
  }

  /** Lab 6: the orchard: ripeness to pick and picking hours. */
  function orchardLab(root, data) {
    const p = orchardPipeline(data.orchard);
    const f = frame(root, data, "Live: the orchard", INTRO);
    const C = new Controls(f.controls, (key) => { C.show(key); update(); });
    const r = C.row(f.controls);
    C.range(r, "threshold", "ripeness to pick [points]", 0, 100, 1, 60, (v) => `${v} points`);
    C.range(r, "hours", "picking time [hours]", 0, p.hours_max, 0.5, Math.round(p.hours_max) / 2,
      (v) => `${plain(v)} hours`);
    const N = new Numbers(f.section, data);
    f.section.append(f.live);
    const charts = el("div", { class: "sqolab-live-charts" });
    f.section.append(charts);
    const col = data.colours;
    const harvest = new Bars(charts, "The harvest", "share of all fruit [%]", [
      { label: "picked", colour: col.sqo }, { label: "sold", colour: col.won },
      { label: "picked, not sold", colour: col.wasted }, { label: "sellable, left", colour: col.missed }]);

    function update() {
      const t = C.get("threshold");
      const hours = C.get("hours");
      const out = evaluate(p, atLeast(p.ripeness, t), hours, p.order);
      const waste = out.n_worked - out.won;
      const values = {
        n_sqo: out.n_sqo, n_leads: out.n_leads, picked: out.n_worked, sold: out.won, waste: waste,
        missed: out.missed, revenue: out.revenue_won_eur, revenue_missed: out.revenue_missed_eur,
        wasted_hours: out.wasted_hours,
      };
      for (const k of Object.keys(values)) N.set(k, values[k]);
      const n = Math.max(out.n_leads, 1);
      const counts = [out.n_worked, out.won, waste, out.missed];
      const alt = `Picking fruit from ${t} points of ripeness with ${plain(hours)} hours: ` +
        `${N.text("picked", out.n_worked)} picked, ${N.text("sold", out.won)} sold, ` +
        `${N.text("waste", waste)} picked but not sold (waste), ${N.text("missed", out.missed)} ` +
        "sellable fruit left (missed).";
      const texts = harvest.update(counts.map((c) => c / n), alt);
      counts.forEach((c, i) => { texts[i].textContent = fmt(c, "int", data.absent); });
      f.live.textContent = alt;
    }

    update();
    return api(C, N, (key) => { C.show(key); update(); }, update, []);
  }

  /** What tests and benchmarks use: the settings, setting them, the numbers. */
  function api(C, N, changed, update, first, criteria) {
    return {
      settings: () => C.settings(),
      criteria: criteria || null,
      apply(settings) {
        // the keys in `first` (context, framework) go first: they reset the others
        for (const key of first) if (key in settings) { C.set(key, settings[key]); changed(key); }
        for (const [key, value] of Object.entries(settings)) {
          if (first.includes(key) || !(key in C.inputs)) continue;
          C.set(key, value);
          changed(key);
        }
        return C.settings();
      },
      numbers: () => Object.assign({}, N.values),
      update: update,
    };
  }

  const BUILDERS = {
    start: (root, data) => qualifyLab(root, data, true),
    qualify: (root, data) => qualifyLab(root, data, false),
    tradeoff: tradeoffLab,
    benefits: benefitsLab,
    drawbacks: drawbacksLab,
    contexts: contextsLab,
    orchard: orchardLab,
  };

  /** Build every live lab on the page whose data has arrived (data and script load async, in
   * either order: whichever comes second calls this). */
  function init(final) {
    const registry = (window.sqolabLive = window.sqolabLive || {});
    registry.engine = { unpack, pipeline, orderBy, criteriaMet, qualify, evaluate, atLeast, fmt };
    const all = window.SQOLAB_LIVE_DATA || {};
    for (const root of document.querySelectorAll(".sqolab-live[data-lab]")) {
      const lab = root.getAttribute("data-lab");
      if (root.getAttribute("data-ready") || lab === "discovery") continue; // see discovery.js
      if (!BUILDERS[lab] || !all[lab]) {
        if (final === true) {
          root.textContent = `The live version of this lab could not be loaded (no data for "${lab}").`;
          root.setAttribute("data-ready", "failed");
        }
        continue;
      }
      registry[lab] = BUILDERS[lab](root, all[lab]);
      registry[lab].readyAt = performance.now(); // ms since navigation start (benchmark)
      root.setAttribute("data-ready", "true");
    }
  }

  window.sqolabLiveInit = init;
  init();
  window.addEventListener("load", () => init(true));
})();
