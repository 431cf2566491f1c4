/* SQO Lab: the discovery call (Lab 7) in the reader's browser (no kernel, no server, no other host).
 *
 * The cases, every answer and the reveal's facts are made at build time by sqolab/web/discovery.py
 * from the engine (discovery-common.js and one discovery-<business>-<set>.js per case set, loaded
 * when chosen). This script keeps the clock, combines the engine's per-criterion checks as the
 * course rule does (k of n), and writes the reveal as sqolab.engine.calls.reveal does;
 * tests/test_web_discovery.py compares every reveal and summary with the engine.
 */
(function () {
  "use strict";

  const STORE = "SQOLAB_DISCOVERY";
  const UNKNOWN_WORDS = ["unknown", "open", "not set", "none set"];
  const TITLES = {
    budget: "Budget", authority: "Authority", need: "Need", timeline: "Timeline",
    competition: "Competition", null: "Rapport and pitch",
  };
  const VERDICT_TITLES = { sqo: "SQO: hand over to sales", nurture: "Nurture", disqualify: "Disqualify" };
  const BINS = 5;
  let uid = 0;

  // ------------------------------------------------------------------ numbers as Python writes them

  /** Python's f"{x:.{d}f}" (the exact binary value rounded half to even), for finite x. */
  function pyFixed(x, d) {
    const negative = x < 0 || Object.is(x, -0);
    const s = Math.abs(x).toFixed(Math.min(d + 30, 100));
    const [whole, frac = ""] = s.split(".");
    const kept = frac.slice(0, d);
    const rest = frac.slice(d);
    let digits = BigInt(whole + kept);
    const half = "5" + "0".repeat(rest.length - 1);
    if (rest > half || (rest === half && digits % 2n === 1n)) digits += 1n;
    let text = digits.toString().padStart(d + 1, "0");
    const head = text.slice(0, text.length - d);
    const tail = text.slice(text.length - d);
    text = d ? `${head}.${tail}` : head;
    return (negative ? "-" : "") + text;
  }

  /** Python's f"{x:,.{d}f}". */
  function pyGroup(x, d) {
    const text = pyFixed(x, d);
    const sign = text.startsWith("-") ? "-" : "";
    const [whole, frac] = text.replace("-", "").split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + grouped + (frac !== undefined ? `.${frac}` : "");
  }

  const FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?|inf|infinity|nan)$/;

  /** Python's float(text) for the texts a note holds (NaN and null: not a number). */
  function pyFloat(text) {
    const s = text.trim();
    if (!FLOAT.test(s)) return null;
    const body = s.replace(/^[+-]/, "");
    const sign = s.startsWith("-") ? -1 : 1;
    if (body === "inf" || body === "infinity") return sign * Infinity;
    if (body === "nan") return NaN;
    return Number(s.replace(/_/g, ""));
  }

  // ------------------------------------------------------------------ the call and the reveal

  /** The most telling finding per criterion (a later, sharper answer wins): Call.knowledge(). */
  function knowledge(theCase, asked) {
    const best = new Map();
    for (const { key } of asked) {
      const f = theCase.answers[key];
      if (f.c === null || !f.rv) continue;
      const old = best.get(f.c);
      if (old === undefined || f.sh >= theCase.answers[old].sh) best.set(f.c, key);
    }
    return best; // criterion -> question key
  }

  /** The course rule's verdict when the criteria in `known` (criterion -> key) are known. */
  function ruleSays(theCase, known) {
    const rule = theCase.rule;
    let met = 0;
    for (const name of rule.names) {
      const key = known.get(name);
      if (key !== undefined && theCase.answers[key].met !== null) met += theCase.answers[key].met ? 1 : 0;
      else met += rule.unknown[name] ? 1 : 0;
    }
    return met >= rule.k;
  }

  /** Open questions that would have turned the rule's verdict on what was known into its verdict
   * on the truth (the quickest per unknown criterion, in handoff order). */
  function decidingQuestions(common, theCase, asked, known, target) {
    const askedKeys = new Set(asked.map((a) => a.key));
    const trial = new Map(known);
    const keys = [];
    for (const criterion of common.criteria) {
      if (trial.has(criterion)) continue;
      // the quickest open question of the criterion, one not asked yet first (min() in Python)
      const cost = (q) => (askedKeys.has(q.key) ? 1000 : 0) + q.min;
      let pick = null;
      for (const q of common.questions) {
        if (q.c === criterion && q.style === "open" && (pick === null || cost(q) < cost(pick))) pick = q;
      }
      trial.set(criterion, pick.key);
      keys.push(pick.key);
      if (ruleSays(theCase, trial) === target) return keys;
    }
    return [];
  }

  /** Does the handoff note on `criterion` agree with the truth? (calls._note_matches) */
  function noteMatches(criterion, value, facts) {
    const text = value.trim().toLowerCase().split("eur").join("").split("€").join("").split(",").join("");
    if (criterion === "authority" || criterion === "need") {
      return text.split(" ").join("_") === facts[criterion];
    }
    const truth = facts[criterion];
    if (UNKNOWN_WORDS.includes(text)) return truth === null;
    const number = pyFloat(text);
    if (number === null || truth === null) return false;
    if (criterion === "competition") return number === truth;
    return Math.abs(number - truth) <= 0.25 * Math.max(truth, 1.0);
  }

  /** The reveal of one decided case, as sqolab.engine.calls.reveal gives it. */
  function reveal(common, data, index, asked, decision) {
    const theCase = data.cases[index];
    const known = knowledge(theCase, asked);
    const said = ruleSays(theCase, known);
    const truthSays = theCase.rule.truth;
    const deciding = said !== truthSays
      ? decidingQuestions(common, theCase, asked, known, truthSays) : [];
    const misjudged = [];
    for (const c of common.criteria) {
      const note = decision.notes[c];
      if (note && note.value.trim() && !noteMatches(c, note.value, theCase.facts)) misjudged.push(c);
    }
    const overclaims = [];
    for (const { key } of asked) {
      const f = theCase.answers[key];
      if (f.oc && f.c) overclaims.push(f.c);
    }
    const won = theCase.won ? 1 : 0;
    const value = decision.verdict === "sqo" ? theCase.work_value : 0;
    const r = {
      truth: theCase.truth,
      outcome: theCase.outcome,
      verdict: decision.verdict,
      best: theCase.best,
      value: value,
      bestValue: Math.max(theCase.work_value, 0),
      hourValue: data.hour_value,
      ruleKnown: said,
      ruleTruth: truthSays,
      deciding: deciding,
      misjudged: misjudged,
      overclaims: overclaims,
      brier: (decision.win - won) * (decision.win - won),
      won: theCase.won,
    };
    const english = Object.fromEntries(common.questions.map((q) => [q.key, q.en]));
    r.lines = [
      `Outcome if worked: ${r.outcome.split("_").join(" ")}.`,
      `Your decision: ${r.verdict} (worth EUR ${pyGroup(r.value, 0)}); best with hindsight: ` +
        `${r.best} (EUR ${pyGroup(r.bestValue, 0)}), valuing a sales hour at EUR ` +
        `${pyGroup(r.hourValue, 0)}.`,
    ];
    if (deciding.length) {
      r.lines.push("What would have changed the rule's verdict: " + deciding.map((k) => english[k]).join(" / "));
    }
    if (misjudged.length) r.lines.push("Your handoff note was off on: " + misjudged.join(", ") + ".");
    if (overclaims.length) r.lines.push("The buyer over-claimed on: " + overclaims.join(", ") + ".");
    return r;
  }

  /** Brier score and the calibration table (sqolab.engine.calls.calibration, 5 bins). */
  function calibration(probabilities, won) {
    const n = probabilities.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const e = probabilities[i] - (won[i] ? 1 : 0);
      total += e * e;
    }
    const edges = Array.from({ length: BINS + 1 }, (_, i) => i * (1 / BINS));
    edges[BINS] = 1;
    const rows = [];
    for (let b = 0; b < BINS; b++) rows.push({ from: edges[b], to: edges[b + 1], cases: 0, p: 0, y: 0 });
    for (let i = 0; i < n; i++) {
      let which = 0;
      for (let e = 1; e < BINS; e++) if (probabilities[i] >= edges[e]) which = e;
      const row = rows[which];
      row.cases += 1;
      row.p += probabilities[i];
      row.y += won[i] ? 1 : 0;
    }
    for (const row of rows) {
      row.meanForecast = row.cases ? row.p / row.cases : NaN;
      row.shareWon = row.cases ? row.y / row.cases : NaN;
    }
    return { brier: total / n, rows: rows };
  }

  /** The sentence under the calibration chart (as the lab writes it). */
  function summaryText(reveals, decisions) {
    const done = [];
    reveals.forEach((r, i) => { if (r) done.push([decisions[i], r]); });
    if (!done.length) return null;
    const { brier, rows } = calibration(done.map(([d]) => d.win), done.map(([, r]) => r.won));
    let total = 0;
    let best = 0;
    const off = new Map();
    for (const [, r] of done) {
      total += r.value;
      best += r.bestValue;
      for (const c of r.misjudged) off.set(c, (off.get(c) || 0) + 1);
    }
    const worst = [...off.entries()].sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c} (${k}x)`).join(", ");
    const text = `Value of your decisions: EUR ${pyGroup(total, 0)}; best with hindsight: EUR ` +
      `${pyGroup(best, 0)}. Brier score of your win probabilities: ${pyFixed(brier, 3)}. ` +
      (worst ? `Handoff notes were off on: ${worst}.` : "");
    return { done: done.length, brier: brier, rows: rows, text: text };
  }

  /** The handoff note the call supports for each criterion heard (DiscoveryLab.fill_notes). */
  function heardNotes(theCase, asked) {
    const notes = {};
    for (const [criterion, key] of knowledge(theCase, asked)) {
      const f = theCase.answers[key];
      if (f.op) notes[criterion] = "unknown";
      else if (f.lv !== null) notes[criterion] = f.lv;
      else if (f.lo !== null && f.hi !== null) notes[criterion] = pyFixed((f.lo + f.hi) / 2, 0);
      else notes[criterion] = `at least ${pyFixed(f.lo, 0)}`;
    }
    return notes;
  }

  // ------------------------------------------------------------------ the page

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function table(rows, caption) {
    const body = rows.map(([k, v]) => el("tr", {}, [el("th", { scope: "row" }, [k]), el("td", {}, [v])]));
    return el("table", { class: "sqolab-live-table sqolab-disc-table" }, [el("caption", {}, [caption]), ...body]);
  }

  /** The calibration chart: forecast against share won per bin, with the diagonal of perfect
   * calibration (SVG; colours of the course style). */
  function calibrationChart(summary) {
    const W = 360, H = 300, L = 52, T = 28, PW = 280, PH = 210;
    const x = (v) => L + v * PW;
    const y = (v) => T + (1 - v) * PH;
    const alt = `Calibration chart of ${summary.done} decided cases: your win probabilities ` +
      `against the share won; Brier score ${pyFixed(summary.brier, 3)}.`;
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": alt, class: "sqolab-live-chart sqolab-disc-chart" });
    svg.append(svgEl("title", {}, alt));
    svg.append(svgEl("text", { x: 0, y: 14, class: "sqolab-live-chart-title" }, "Are your win probabilities calibrated?"));
    for (let t = 0; t <= 1.0001; t += 0.25) {
      svg.append(svgEl("line", { x1: x(t), x2: x(t), y1: T, y2: T + PH, class: "sqolab-live-grid" }));
      svg.append(svgEl("line", { x1: L, x2: L + PW, y1: y(t), y2: y(t), class: "sqolab-live-grid" }));
      svg.append(svgEl("text", { x: x(t), y: T + PH + 13, "text-anchor": "middle", class: "sqolab-live-tick" }, `${Math.round(t * 100)}`));
      svg.append(svgEl("text", { x: L - 5, y: y(t) + 3, "text-anchor": "end", class: "sqolab-live-tick" }, `${Math.round(t * 100)}`));
    }
    svg.append(svgEl("line", { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: "#999999", "stroke-dasharray": "4 3" }));
    svg.append(svgEl("text", { x: x(0.62), y: y(0.55), class: "sqolab-live-legend" }, "perfectly calibrated"));
    for (const row of summary.rows) {
      if (!row.cases) continue;
      svg.append(svgEl("circle", {
        cx: x(row.meanForecast), cy: y(row.shareWon), r: 4 + 2 * row.cases, fill: "#0072B2",
        "fill-opacity": 0.8, stroke: "currentColor", class: "sqolab-disc-point",
      }));
    }
    svg.append(svgEl("text", { x: L + PW / 2, y: T + PH + 30, "text-anchor": "middle", class: "sqolab-live-axis" }, "Your win probability (%, mean per band)"));
    svg.append(svgEl("text", { x: 12, y: T + PH / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${T + PH / 2})`, class: "sqolab-live-axis" }, "Share won (% of cases)"));
    return svg;
  }

  function scriptBase() {
    const mine = document.currentScript && document.currentScript.src;
    if (mine) return mine.slice(0, mine.lastIndexOf("/") + 1);
    const found = document.querySelector('script[src$="discovery.js"]');
    return found ? found.src.slice(0, found.src.lastIndexOf("/") + 1) : "";
  }
  const BASE = scriptBase();
  const loading = {};

  /** Load one of the data scripts (once); resolves when its data is in window[STORE]. */
  function load(name, key) {
    const store = (window[STORE] = window[STORE] || {});
    if (store[key]) return Promise.resolve(store[key]);
    if (!loading[key]) {
      loading[key] = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = BASE + name;
        s.onload = () => (window[STORE][key] ? resolve(window[STORE][key]) : reject(new Error(name)));
        s.onerror = () => { delete loading[key]; reject(new Error(name)); };
        document.head.append(s);
      });
    }
    return loading[key];
  }

  class Player {
    constructor(root, common) {
      this.root = root;
      this.common = common;
      this.sets = {}; // "context-seed" -> {data, calls}
      this.language = "en";
      this.byKey = Object.fromEntries(common.questions.map((q) => [q.key, q]));
      root.classList.add("sqolab-live-on", "sqolab-disc");
      root.textContent = "";
      root.append(el("div", { class: "sqolab-live-title" }, ["Lab 7: The discovery call (live in this page)"]));
      root.append(el("p", { class: "sqolab-live-intro" }, [
        `Choose a business and a case set, ask questions within the ${common.minutes} minutes, then decide, write the ` +
        "handoff note and give a win probability. Case sets 1 to " + common.sets + " are on this page; " +
        "the same number gives the same cases in JupyterLab and Voilà, where any number up to 9999 works.",
      ]));
      const top = el("div", { class: "sqolab-live-row" });
      this.contextBox = this.select(top, "Business", common.contexts);
      this.seedBox = this.select(top, "Case set number (the same for every team)",
        Array.from({ length: common.sets }, (_, i) => [String(i + 1), String(i + 1)]));
      root.append(top);
      this.languageBox = this.radios(root, "Language", [["en", "English"], ["de", "Deutsch"]], "en");
      this.caseBox = this.radios(root, "Case", Array.from({ length: common.cases }, (_, i) => [String(i), String(i + 1)]), "0");
      this.briefing = el("div", { class: "sqolab-disc-briefing" });
      this.clock = el("p", { role: "status", "aria-live": "polite", class: "sqolab-disc-clock" });
      root.append(this.briefing, this.clock);
      root.append(el("h4", {}, ["Ask (each question costs minutes of the call)"]));
      this.buttons = {};
      const groups = el("div", { class: "sqolab-disc-questions" });
      for (const criterion of [...common.criteria, null]) {
        const group = el("div", { class: "sqolab-disc-group", role: "group", "aria-label": TITLES[criterion] }, [el("b", {}, [TITLES[criterion]])]);
        for (const q of common.questions) {
          if (q.c !== criterion) continue;
          const b = el("button", { type: "button", class: "sqolab-disc-ask", "data-key": q.key });
          b.addEventListener("click", () => this.ask(q.key));
          this.buttons[q.key] = b;
          group.append(b);
        }
        groups.append(group);
      }
      root.append(groups);
      root.append(el("h4", {}, ["The call so far"]));
      this.transcript = el("div", { class: "sqolab-disc-transcript" });
      this.message = el("div", { class: "sqolab-disc-message" });
      root.append(this.transcript, this.message);
      root.append(this.decisionPanel());
      this.revealBox = el("div", { class: "sqolab-disc-reveal", role: "status", "aria-live": "polite" });
      this.summaryBox = el("div", { class: "sqolab-disc-summary" });
      root.append(this.revealBox, this.summaryBox);
      this.contextBox.addEventListener("change", () => this.openSet());
      this.seedBox.addEventListener("change", () => this.openSet());
      this.onRadio(this.languageBox, (v) => { this.language = v; this.show(); });
      this.onRadio(this.caseBox, () => this.caseChanged());
      this.openSet();
    }

    select(parent, label, options) {
      const id = `sqolab-disc-${++uid}`;
      const box = el("select", { id: id, "data-control": label.split(" ")[0].toLowerCase() },
        options.map(([v, t]) => el("option", { value: v }, [t])));
      parent.append(el("div", { class: "sqolab-live-control" }, [el("label", { for: id }, [label]), box]));
      return box;
    }

    radios(parent, legend, options, value) {
      const name = `sqolab-disc-${++uid}`;
      const set = el("fieldset", { class: "sqolab-disc-radios", "data-control": legend.toLowerCase() }, [el("legend", {}, [legend])]);
      for (const [v, t] of options) {
        const id = `${name}-${v}`;
        set.append(el("span", { class: "sqolab-disc-radio" }, [
          el("input", { type: "radio", name: name, id: id, value: v, checked: v === value }),
          el("label", { for: id }, [t]),
        ]));
      }
      parent.append(set);
      return set;
    }

    onRadio(set, f) {
      set.addEventListener("change", (e) => { if (e.target.checked) f(e.target.value); });
    }

    radioValue(set) {
      const on = set.querySelector("input:checked");
      return on ? on.value : null;
    }

    setRadio(set, value) {
      for (const input of set.querySelectorAll("input")) input.checked = input.value === value;
    }

    decisionPanel() {
      const c = this.common;
      const panel = el("div", { class: "sqolab-disc-decision" }, [el("h4", {}, ["Your decision and handoff note"])]);
      this.verdictBox = this.radios(panel, "Decision", c.verdicts.map((v) => [v, VERDICT_TITLES[v]]), "sqo");
      const reasonId = `sqolab-disc-${++uid}`;
      this.reason = el("select", { id: reasonId }, c.reasons.map(([k, t]) => el("option", { value: k }, [`${k.split("_").join(" ")}: ${t}`])));
      this.reasonRow = el("div", { class: "sqolab-live-control" }, [el("label", { for: reasonId }, ["Reason"]), this.reason]);
      const recontactId = `sqolab-disc-${++uid}`;
      this.recontact = el("input", { id: recontactId, type: "range", min: 1, max: 12, step: 1, value: 3 });
      const recontactOut = el("output", { for: recontactId }, ["3"]);
      this.recontact.addEventListener("input", () => { recontactOut.textContent = this.recontact.value; });
      this.recontactRow = el("div", { class: "sqolab-live-control sqolab-live-range" }, [el("label", { for: recontactId }, ["Call again in (months)"]), this.recontact, recontactOut]);
      const winId = `sqolab-disc-${++uid}`;
      this.win = el("input", { id: winId, type: "range", min: 0, max: 100, step: 5, value: 30, "data-control": "win" });
      this.winOut = el("output", { for: winId }, ["30 %"]);
      this.win.addEventListener("input", () => { this.winOut.textContent = `${this.win.value} %`; this.saveDraft(); });
      const winRow = el("div", { class: "sqolab-live-control sqolab-live-range" }, [el("label", { for: winId }, ["Win probability if worked (%)"]), this.win, this.winOut]);
      this.fill = el("button", { type: "button", class: "sqolab-disc-fill" }, ["Fill the note from what I heard"]);
      this.fill.addEventListener("click", () => this.fillNotes());
      panel.append(this.reasonRow, this.recontactRow, winRow, this.fill);
      this.notes = {};
      this.confidence = {};
      for (const crit of c.criteria) {
        const noteId = `sqolab-disc-${++uid}`;
        const confId = `sqolab-disc-${++uid}`;
        this.notes[crit] = el("input", { id: noteId, type: "text", size: 28, "data-note": crit, placeholder: "e.g. 20000, decision_maker, confirmed, unknown" });
        this.confidence[crit] = el("select", { id: confId, "data-confidence": crit }, c.confidences.map((v) => el("option", { value: v, selected: v === "medium" }, [v])));
        this.notes[crit].addEventListener("input", () => this.saveDraft());
        this.confidence[crit].addEventListener("change", () => this.saveDraft());
        panel.append(el("div", { class: "sqolab-live-control sqolab-disc-note" }, [
          el("label", { for: noteId }, [TITLES[crit]]), this.notes[crit],
          el("label", { for: confId }, ["sure?"]), this.confidence[crit],
        ]));
      }
      this.submit = el("button", { type: "button", class: "sqolab-disc-submit" }, ["Decide and reveal"]);
      this.submit.addEventListener("click", () => this.decide());
      panel.append(this.submit);
      this.onRadio(this.verdictBox, () => { this.verdictChanged(); this.saveDraft(); });
      this.reason.addEventListener("change", () => this.saveDraft());
      this.recontact.addEventListener("change", () => this.saveDraft());
      return panel;
    }

    get key() { return `${this.contextBox.value}-${this.seedBox.value}`; }
    get index() { return Number(this.radioValue(this.caseBox)); }
    get state() { return this.sets[this.key]; }
    get call() { return this.state.calls[this.index]; }

    openSet() {
      const key = this.key;
      this.root.setAttribute("data-ready", "loading");
      load(`discovery-${key}.js`, key).then((data) => {
        if (!this.sets[key]) {
          this.sets[key] = {
            data: data,
            calls: data.cases.map(() => ({ asked: [], decision: null, reveal: null, draft: null })),
          };
        }
        if (key !== this.key) return; // another set was chosen meanwhile
        this.setRadio(this.caseBox, "0");
        this.caseChanged();
        this.root.setAttribute("data-ready", "true");
      }).catch(() => {
        this.say(`The cases of set ${this.seedBox.value} could not be loaded.`);
        this.root.setAttribute("data-ready", "failed");
      });
    }

    say(text) {
      this.message.textContent = "";
      if (text) this.message.append(el("div", { class: "sqolab-error", role: "alert" }, [text]));
    }

    /** Minutes left in a call. */
    minutesLeft(call) {
      return call.asked.reduce((left, a) => left - this.byKey[a.key].min, this.common.minutes);
    }

    ask(key) {
      const call = this.call;
      const q = this.byKey[key];
      const left = this.minutesLeft(call);
      if (call.reveal) return;
      if (call.asked.some((a) => a.key === key)) {
        this.say(`You already asked this: ${q[this.language]}`);
      } else if (q.min > left) {
        this.say(`This question takes ${q.min} minutes and only ${left} are left. Decide with what you know, or choose a shorter question.`);
      } else {
        call.asked.push({ key: key, lang: this.language });
        this.say("");
      }
      this.show();
    }

    fillNotes() {
      const theCase = this.state.data.cases[this.index];
      for (const [c, text] of Object.entries(heardNotes(theCase, this.call.asked))) this.notes[c].value = text;
      this.saveDraft();
    }

    readForm() {
      const notes = {};
      for (const c of this.common.criteria) {
        notes[c] = { value: this.notes[c].value, confidence: this.confidence[c].value };
      }
      return {
        verdict: this.radioValue(this.verdictBox),
        win: Number(this.win.value) / 100,
        winPercent: Number(this.win.value),
        reason: this.reason.value,
        recontact: Number(this.recontact.value),
        notes: notes,
      };
    }

    writeForm(form) {
      this.setRadio(this.verdictBox, form ? form.verdict : "sqo");
      this.win.value = form ? form.winPercent : 30;
      this.winOut.textContent = `${this.win.value} %`;
      if (form) { this.reason.value = form.reason; this.recontact.value = form.recontact; }
      for (const c of this.common.criteria) {
        this.notes[c].value = form ? form.notes[c].value : "";
        this.confidence[c].value = form ? form.notes[c].confidence : "medium";
      }
      this.verdictChanged();
    }

    saveDraft() {
      if (this.state && !this.call.reveal) this.call.draft = this.readForm();
    }

    decide() {
      const call = this.call;
      if (call.reveal) return;
      const decision = this.readForm();
      try {
        call.reveal = reveal(this.common, this.state.data, this.index, call.asked, decision);
        call.decision = decision;
      } catch (error) {
        this.say("This decision could not be evaluated here; please try again in JupyterLab.");
        return;
      }
      this.say("");
      this.show();
      this.revealBox.focus();
    }

    caseChanged() {
      const call = this.call;
      this.writeForm(call.decision || call.draft);
      this.say("");
      this.show();
    }

    verdictChanged() {
      const v = this.radioValue(this.verdictBox);
      this.reasonRow.hidden = v !== "disqualify";
      this.recontactRow.hidden = v !== "nurture";
    }

    show() {
      const common = this.common;
      const data = this.state.data;
      const i = this.index;
      const theCase = data.cases[i];
      const call = this.call;
      this.briefing.textContent = "";
      this.briefing.append(table(theCase.briefing, `Case ${i + 1}: before the call`));
      const left = this.minutesLeft(call);
      this.clock.textContent = "";
      this.clock.append(el("b", {}, [`${left} of ${common.minutes} minutes left`]), " in this call.");
      const done = call.reveal !== null;
      const asked = new Set(call.asked.map((a) => a.key));
      for (const q of common.questions) {
        const b = this.buttons[q.key];
        b.textContent = `${q[this.language]} (${q.min} min)`;
        b.disabled = done || asked.has(q.key) || q.min > left;
      }
      this.transcript.textContent = "";
      if (call.asked.length) {
        this.transcript.append(el("ol", {}, call.asked.map((a) => {
          return el("li", {}, [el("b", {}, [this.byKey[a.key][a.lang]]), el("br"), theCase.answers[a.key][a.lang]]);
        })));
      } else {
        this.transcript.append(el("p", {}, ["Nothing asked yet."]));
      }
      this.submit.disabled = done;
      this.fill.disabled = done;
      this.verdictChanged();
      this.revealBox.textContent = "";
      this.revealBox.setAttribute("tabindex", "-1");
      if (done) {
        const r = call.reveal;
        const truthRows = r.truth.map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]);
        this.revealBox.append(el("h4", {}, ["The reveal"]), table(truthRows, "What was true"),
          el("ul", {}, r.lines.map((line) => el("li", {}, [line]))));
      }
      this.summaryBox.textContent = "";
      const s = summaryText(this.state.calls.map((c) => c.reveal), this.state.calls.map((c) => c.decision));
      if (s) {
        this.summaryBox.append(
          el("h4", {}, [`Across your ${s.done} decided case(s) of ${data.cases.length}`]),
          el("p", { class: "sqolab-disc-totals" }, [s.text]),
          calibrationChart(s),
          el("p", { class: "sqolab-live-summary" }, [
            "Points: the cases you gave a win probability in the same band of 20 points (larger: more " +
            "cases). A third of each case set would be won if worked, more than in the pipeline, so every " +
            "set has wins to find (how the cases are drawn, not a fact about real pipelines).",
          ]));
      }
    }
  }

  function start() {
    const roots = document.querySelectorAll('.sqolab-live[data-lab="discovery"]:not([data-ready])');
    if (!roots.length) return;
    load("discovery-common.js", "common").then((common) => {
      const registry = (window.sqolabLive = window.sqolabLive || {});
      for (const root of roots) registry.discovery = new Player(root, common);
    }).catch(() => {
      for (const root of roots) {
        root.textContent = "The live version of this lab could not be loaded.";
        root.setAttribute("data-ready", "failed");
      }
    });
  }

  window.sqolabDiscovery = { pyFixed, pyGroup, pyFloat, knowledge, ruleSays, reveal, calibration, summaryText, heardNotes, noteMatches, load };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
