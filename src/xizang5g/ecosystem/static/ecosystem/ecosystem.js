/* Charts of the ecosystem's statistics page (data from the json_script block). */
(function () {
  "use strict";
  var source = document.getElementById("eco-chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  var kindEl = document.getElementById("kind-chart");
  if (kindEl) {
    var kinds = echarts.init(kindEl);
    kinds.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      series: [{
        type: "pie", radius: ["40%", "70%"],
        data: data.kinds.filter(function (k) { return k.value > 0; })
          .map(function (k) { return { name: k.label, value: k.value }; }),
        label: { formatter: "{b}: {c}" }
      }]
    });
    charts.push(kinds);
  }
  var industryEl = document.getElementById("industry-chart");
  if (industryEl) {
    var industries = echarts.init(industryEl);
    industries.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "category", data: data.industries, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.demands, type: "bar", data: data.demands, barMaxWidth: 36 },
        { name: data.labels.solutions, type: "bar", data: data.solutions, barMaxWidth: 36 }
      ]
    });
    charts.push(industries);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
