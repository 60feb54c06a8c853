// Industry pages: the pond's points against their red threshold, and the dispatch comparison.
(function () {
  "use strict";
  var pond = XZCharts.dataOf("pond-chart-data");
  var el = document.getElementById("pond-chart");
  if (pond && el) {
    var chart = XZCharts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 64, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", name: "× red" },
      yAxis: { type: "category", data: pond.points, inverse: true },
      series: [{
        type: "bar",
        data: pond.ratios.map(function (v, i) { return { value: v, itemStyle: { color: pond.colours[i] } }; }),
        markLine: { symbol: "none", data: [{ xAxis: 1 }], lineStyle: { color: "#c62828" } }
      }]
    });
    el.dataset.ready = "1";
  }
  var fleet = XZCharts.dataOf("dispatch-chart-data");
  var el2 = document.getElementById("dispatch-chart");
  if (fleet && el2) {
    var chart2 = XZCharts.init(el2);
    chart2.setOption({
      animation: false, color: [XZCharts.palette[5], XZCharts.palette[1]],
      grid: { left: 48, right: 16, top: 32, bottom: 28 },
      legend: { top: 0 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: fleet.loaders }, yAxis: { type: "value" },
      series: [
        { name: el2.dataset.fixed || "fixed", type: "bar", data: fleet.fixed },
        { name: el2.dataset.dispatch || "dispatch", type: "bar", data: fleet.dispatch }
      ]
    });
    el2.dataset.ready = "1";
  }
})();
// Slope page: 1/v against time for each point, with the fitted line to its zero crossing.
(function () {
  "use strict";
  var points = XZCharts.dataOf("slope-chart-data");
  var el = document.getElementById("slope-chart");
  if (!points || !el) { return; }
  var chart = XZCharts.init(el);
  var series = [];
  points.forEach(function (p, i) {
    var colour = XZCharts.palette[i % XZCharts.palette.length];
    series.push({ name: p.name, type: "scatter", symbolSize: 6, data: p.data, itemStyle: { color: colour } });
    if (p.fit) {
      var a = p.fit[0], b = p.fit[1], t0 = p.data.length ? p.data[Math.max(0, p.data.length - 12)][0] : 0;
      series.push({ name: p.name + " fit", type: "line", showSymbol: false, data: [[t0, a * t0 + b], [-b / a, 0]],
        lineStyle: { type: "dashed", color: colour } });
    }
  });
  chart.setOption({
    animation: false, legend: { top: 0, right: 0 }, tooltip: { trigger: "item" },
    grid: { left: 56, right: 16, top: 48, bottom: 36 },
    xAxis: { type: "value", name: el.dataset.axis || "h", nameLocation: "middle", nameGap: 24 },
    yAxis: { type: "value", name: "1/v (h/mm)", min: 0 },
    series: series
  });
  el.dataset.ready = "1";
})();
// Production line: OEE gauge, hourly A/P/Q trend, machine state timeline, loss Pareto.
(function () {
  "use strict";
  var data = XZCharts.dataOf("line-chart-data");
  if (!data) { return; }
  var L = data.labels;
  var gauge = document.getElementById("oee-gauge");
  if (gauge) {
    var g = XZCharts.init(gauge);
    var t = data.target / 100;
    g.setOption({
      animation: false,
      series: [{
        type: "gauge", min: 0, max: 100, radius: "95%", center: ["50%", "58%"],
        axisLine: { lineStyle: { width: 14, color: [[t, "#d64545"], [0.85, "#e0a100"], [1, "#1f9d55"]] } },
        pointer: { width: 5 }, axisTick: { show: false }, splitLine: { length: 10 },
        axisLabel: { distance: 16, fontSize: 10 },
        detail: { formatter: "{value} %", fontSize: 22, offsetCenter: [0, "40%"] },
        title: { offsetCenter: [0, "70%"], fontSize: 12 },
        data: [{ value: data.oee, name: gauge.dataset.label || "OEE" }]
      }]
    });
    gauge.dataset.ready = "1";
  }
  var trend = document.getElementById("oee-trend");
  if (trend) {
    var c = XZCharts.init(trend);
    var keys = ["oee", "availability", "performance", "quality"];
    c.setOption({
      animation: false, color: [XZCharts.palette[0], XZCharts.palette[1], XZCharts.palette[2], XZCharts.palette[4]],
      legend: { top: 0 }, tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " %"; } },
      grid: { left: 44, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.hours },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
      series: keys.map(function (k) {
        var s = { name: L[k], type: k === "oee" ? "bar" : "line", data: data.series[k], showSymbol: false };
        if (k === "oee") { s.barMaxWidth = 22; s.markLine = { symbol: "none", data: [{ yAxis: data.target }], lineStyle: { color: "#d64545", type: "dashed" }, label: { position: "insideEndTop", formatter: data.target + " %" } }; }
        return s;
      })
    });
    trend.dataset.ready = "1";
  }
  var tl = document.getElementById("state-timeline");
  if (tl) {
    // a Gantt chart of the states: each interval a thick line along its machine's row
    var chart = XZCharts.init(tl);
    var hhmm = function (ms) { var x = new Date(ms); return ("0" + x.getHours()).slice(-2) + ":" + ("0" + x.getMinutes()).slice(-2); };
    var rows = data.timeline.map(function (r) {
      return {
        coords: [[r[1], r[0]], [r[2], r[0]]], lineStyle: { color: data.colours[r[3]] },
        name: data.machines[r[0]] + " · " + data.states[r[3]] + (r[4] ? " · " + r[4] : "") + " · " + hhmm(r[1]) + "–" + hhmm(r[2])
      };
    });
    var band = Math.max(8, Math.min(22, (tl.clientHeight - 40) / Math.max(data.machines.length, 1) * 0.55));
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return echarts.format.encodeHTML(p.name); } },
      grid: { left: 96, right: 16, top: 8, bottom: 28 },
      xAxis: { type: "time", min: data.start, max: data.end, axisLabel: { formatter: "{HH}:{mm}" } },
      yAxis: { type: "category", data: data.machines, inverse: true },
      series: [{ type: "lines", coordinateSystem: "cartesian2d", polyline: false, data: rows,
        lineStyle: { width: band, opacity: 1, cap: "butt" } }]
    });
    tl.dataset.ready = "1";
  }
  var pareto = document.getElementById("loss-pareto");
  if (pareto) {
    var p = XZCharts.init(pareto);
    p.setOption({
      animation: false, color: [XZCharts.palette[3], XZCharts.palette[0]],
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 44, right: 44, top: 32, bottom: 64 },
      xAxis: { type: "category", data: data.pareto.causes, axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
      yAxis: [{ type: "value", name: L.minutes }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } }],
      series: [
        { name: L.minutes, type: "bar", data: data.pareto.minutes, barMaxWidth: 28 },
        { name: L.cumulative, type: "line", yAxisIndex: 1, data: data.pareto.cumulative }
      ]
    });
    pareto.dataset.ready = "1";
  }
})();
// Dispatch board: loaders, the dump and the trucks by state on a schematic of the pit.
(function () {
  "use strict";
  var m = XZCharts.dataOf("fleet-map-data");
  var el = document.getElementById("fleet-map");
  if (!m || !el) { return; }
  var chart = XZCharts.init(el);
  var all = m.trucks.concat(m.loaders).concat(m.dump ? [m.dump] : []);
  var lons = all.map(function (p) { return p[0]; }), lats = all.map(function (p) { return p[1]; });
  var pad = 0.002;
  var series = [{
    name: m.labels.loader, type: "scatter", symbol: "triangle", symbolSize: 18, itemStyle: { color: "#343a40" },
    label: { show: true, position: "top", formatter: function (p) { return p.value[2]; }, fontWeight: "bold" }, data: m.loaders
  }];
  if (m.dump) {
    series.push({ name: m.labels.dump, type: "scatter", symbol: "rect", symbolSize: 18, itemStyle: { color: "#6c757d" },
      label: { show: true, position: "bottom", formatter: function (p) { return p.value[2]; } }, data: [m.dump] });
    series.push({ type: "lines", coordinateSystem: "cartesian2d", silent: true, lineStyle: { color: "#ced4da", width: 3, type: "dashed" },
      data: m.loaders.map(function (l) { return { coords: [[m.dump[0], m.dump[1]], [l[0], l[1]]] }; }) });
  }
  Object.keys(m.states).forEach(function (state) {
    var rows = m.trucks.filter(function (t) { return t[3] === state; });
    if (!rows.length) { return; }
    series.push({ name: m.states[state], type: "scatter", symbolSize: 12, itemStyle: { color: m.colours[state], borderColor: "#fff", borderWidth: 1 },
      label: { show: true, position: "right", fontSize: 10, formatter: function (p) { return p.value[2]; } }, data: rows });
  });
  chart.setOption({
    animation: false, legend: { bottom: 0, type: "scroll" },
    tooltip: { trigger: "item", formatter: function (p) { return p.value && p.value[2] ? echarts.format.encodeHTML(String(p.value[2])) + (p.value[4] ? " · " + p.value[4] : "") : ""; } },
    grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: false },
    xAxis: { type: "value", show: false, min: Math.min.apply(null, lons) - pad, max: Math.max.apply(null, lons) + pad },
    yAxis: { type: "value", show: false, min: Math.min.apply(null, lats) - pad, max: Math.max.apply(null, lats) + pad },
    series: series
  });
  el.dataset.ready = "1";
})();
