// conveyor dashboard charts: small hand-written SVG builders (no libraries, works offline).
"use strict";

const Charts = (() => {
  const STATE_COLORS = {
    pending: "#9aa5b1", launched: "#f0b429", running: "#2680c2", joining: "#8662c7",
    fail_retryable: "#f7c948", exec_done: "#3ebd93", memo_done: "#147d64",
    failed: "#e12d39", dep_fail: "#f9703e",
  };
  const PALETTE = ["#2680c2", "#e12d39", "#3ebd93", "#8662c7", "#f0b429", "#f9703e", "#147d64"];

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }
  function color(state, i) { return STATE_COLORS[state] || PALETTE[i % PALETTE.length]; }

  // A round upper bound whose quarters are round too.
  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }
  function num(v) { return String(+v.toFixed(1)); }
  // Seconds since the start, labelled for the span shown.
  function timeLabel(seconds, span) {
    if (span <= 20) return `${num(seconds)}s`;
    if (span <= 180) return `${Math.round(seconds)}s`;
    const s = Math.max(0, Math.round(seconds)), m = Math.floor(s / 60);
    return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}`
      : `${m}:${String(s % 60).padStart(2, "0")}`;
  }

  // The frame of an x/y chart: returns {svg parts, x(), y()}.
  function frame(w, h, x0, x1, ymax, yfmt, origin = x0) {
    const L = 46, R = 10, T = 8, B = 22;
    const x = (v) => L + ((v - x0) / Math.max(x1 - x0, 1e-9)) * (w - L - R);
    const y = (v) => T + (1 - v / ymax) * (h - T - B);
    const parts = [];
    for (let i = 0; i <= 4; i++) {
      const v = (ymax * i) / 4, yy = y(v);
      parts.push(`<line x1="${L}" x2="${w - R}" y1="${yy}" y2="${yy}" stroke="#e4e7eb"/>`);
      parts.push(`<text x="${L - 6}" y="${yy + 4}" text-anchor="end">${esc(yfmt(v))}</text>`);
    }
    for (let i = 0; i <= 5; i++) {
      const v = x0 + ((x1 - x0) * i) / 5;
      const anchor = i === 0 ? "start" : i === 5 ? "end" : "middle";
      parts.push(`<text x="${x(v)}" y="${h - 6}" text-anchor="${anchor}">${timeLabel(v - origin, x1 - origin)}</text>`);
    }
    return { parts, x, y, close: () => `<svg viewBox="0 0 ${w} ${h}" role="img">${parts.join("")}</svg>` };
  }

  // Stacked areas: times[k], series {state: [count at k]}.
  function stacked(times, series, w = 640, h = 220) {
    const names = Object.keys(series);
    if (!times.length || !names.length) return '<p class="empty">no state changes yet</p>';
    const totals = times.map((_, k) => names.reduce((a, n) => a + series[n][k], 0));
    const f = frame(w, h, times[0], times[times.length - 1], niceMax(Math.max(...totals)), num);
    const base = times.map(() => 0);
    names.forEach((name, i) => {
      const top = base.map((b, k) => b + series[name][k]);
      const upper = times.map((t, k) => `${f.x(t).toFixed(1)},${f.y(top[k]).toFixed(1)}`);
      const lower = times.map((t, k) => `${f.x(t).toFixed(1)},${f.y(base[k]).toFixed(1)}`).reverse();
      f.parts.push(`<polygon points="${upper.concat(lower).join(" ")}" fill="${color(name, i)}" fill-opacity="0.85"><title>${esc(name)}</title></polygon>`);
      top.forEach((v, k) => { base[k] = v; });
    });
    return f.close();
  }

  // Lines: list of {name, times, values}; all share one x range; x labels count from origin.
  function lines(list, unit, opts = {}) {
    const { w = 640, h = 200, floor = 1, origin = null } = opts;
    const all = list.flatMap((s) => s.times);
    if (!all.length) return '<p class="empty">no resource samples</p>';
    const vmax = niceMax(Math.max(floor, ...list.flatMap((s) => s.values)));
    const x0 = origin === null ? Math.min(...all) : Math.min(origin, ...all);
    const f = frame(w, h, x0, Math.max(...all) + 1e-6, vmax, (v) => `${num(v)}${unit}`, x0);
    list.forEach((s, i) => {
      const pts = s.times.map((t, k) => `${f.x(t).toFixed(1)},${f.y(s.values[k]).toFixed(1)}`);
      const col = PALETTE[i % PALETTE.length];
      f.parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${col}" stroke-width="2"><title>${esc(s.name)}</title></polyline>`);
      if (pts.length === 1) {
        const [px, py] = pts[0].split(",");
        f.parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${col}"/>`);
      }
    });
    return f.close();
  }

  // Horizontal stacked bars: rows [{label, parts: {state: n}}].
  function hbars(rows, w = 640) {
    if (!rows.length) return '<p class="empty">no tasks yet</p>';
    const rowH = 26, L = 110, h = rows.length * rowH + 6;
    const most = Math.max(1, ...rows.map((r) => Object.values(r.parts).reduce((a, b) => a + b, 0)));
    const out = [];
    rows.forEach((r, i) => {
      const y = 4 + i * rowH;
      out.push(`<text x="${L - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`);
      let x = L;
      Object.entries(r.parts).forEach(([state, n], j) => {
        const bw = (n / most) * (w - L - 60);
        out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${bw.toFixed(1)}" height="${rowH - 8}" fill="${color(state, j)}"><title>${esc(state)}: ${n}</title></rect>`);
        x += bw;
      });
      const total = Object.values(r.parts).reduce((a, b) => a + b, 0);
      out.push(`<text x="${(x + 6).toFixed(1)}" y="${y + 15}">${total}</text>`);
    });
    return `<svg viewBox="0 0 ${w} ${h}" role="img">${out.join("")}</svg>`;
  }

  // A small histogram of run times (counts in equal bins from 0 to max seconds).
  function histogram(hist, w = 180, h = 34) {
    const top = Math.max(1, ...hist.counts);
    const bw = w / hist.counts.length;
    const bars = hist.counts.map((c, i) => {
      const bh = (c / top) * (h - 2);
      return `<rect x="${(i * bw).toFixed(1)}" y="${(h - bh).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="#2680c2"/>`;
    });
    return `<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" style="width:${w}px">${bars.join("")}</svg>`;
  }

  function legend(names) {
    return `<div class="legend">${names.map((n, i) => `<span><i style="background:${color(n, i)}"></i>${esc(n)}</span>`).join("")}</div>`;
  }
  function lineLegend(names) {
    return `<div class="legend">${names.map((n, i) => `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${esc(n)}</span>`).join("")}</div>`;
  }

  return { esc, color, stacked, lines, hbars, histogram, legend, lineLegend };
})();
