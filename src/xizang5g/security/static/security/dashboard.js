/* Security situation dashboard charts. */
(function () {
  "use strict";
  var data = XZCharts.dataOf("security-charts");
  if (!data) { return; }
  var p = XZCharts.palette;
  function el(id) { return document.getElementById(id); }
  var t = XZCharts.init(el("chart-timeline"));
  t.setOption({
    color: [p[0], p[3]], tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 48, right: 48, top: 32, bottom: 28 },
    xAxis: { type: "category", data: data.timeline.labels, axisLabel: { hideOverlap: true } },
    yAxis: [{ type: "value", name: "" }, { type: "value", name: "", splitLine: { show: false } }],
    series: [
      { name: el("chart-timeline").dataset.events || "事件", type: "bar", data: data.timeline.events, barMaxWidth: 18 },
      { name: el("chart-timeline").dataset.alerts || "告警", type: "line", yAxisIndex: 1, smooth: true, data: data.timeline.alerts }
    ]
  });
  XZCharts.init(el("chart-category")).setOption({
    color: p, tooltip: { trigger: "item" }, legend: { bottom: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], data: data.by_category, label: { formatter: "{b}\n{c}" } }]
  });
  XZCharts.init(el("chart-srcip")).setOption({
    color: [p[5]], tooltip: {}, grid: { left: 110, right: 16, top: 8, bottom: 24 },
    xAxis: { type: "value" }, yAxis: { type: "category", data: data.by_src_ip.labels },
    series: [{ type: "bar", data: data.by_src_ip.values, barMaxWidth: 14 }]
  });
  XZCharts.init(el("chart-incidents")).setOption({
    color: ["#a61b1b", "#d64545", "#f0b429", "#0b4a8b"], tooltip: { trigger: "item" }, legend: { bottom: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], data: data.incidents_by_level }]
  });
  XZCharts.init(el("chart-mlps")).setOption({
    color: [p[0]], tooltip: {}, grid: { left: 40, right: 16, top: 16, bottom: 28 },
    xAxis: { type: "category", data: data.systems_by_level.labels }, yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.systems_by_level.values, barMaxWidth: 36 }]
  });
})();
