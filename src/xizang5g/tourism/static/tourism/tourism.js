/* Tourism pages: region map of spots, a spot's live occupancy and forecast, tourism data. */
(function () {
  "use strict";
  var LEVEL_COLORS = { comfortable: "#1f9d55", busy: "#e0a100", warning: "#e8590c", saturated: "#d64545" };

  function spotMap() {
    var el = document.getElementById("spot-map");
    var data = XZCharts.dataOf("map-data");
    if (!el || !data) return;
    var chart = XZCharts.init(el);
    chart.showLoading();
    fetch(el.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("xizang-tourism", geo);
      var series = data.levels.map(function (l) {
        return {
          type: "scatter", coordinateSystem: "geo", name: l.label,
          data: data.points.filter(function (p) { return p.level === l.code; }),
          symbolSize: 13, itemStyle: { color: LEVEL_COLORS[l.code], borderColor: "#fff", borderWidth: 1 },
          tooltip: { formatter: function (p) { return p.data.name + "<br>" + l.label + " · " + p.data.value[2] + "%"; } }
        };
      });
      chart.hideLoading();
      chart.setOption({
        tooltip: { trigger: "item" },
        legend: { bottom: 0, data: data.levels.map(function (l) { return l.label; }) },
        geo: { map: "xizang-tourism", roam: true, label: { show: true, fontSize: 11, color: "#33475b" },
               itemStyle: { areaColor: "#eef4fb", borderColor: "#9ec1e6" } },
        series: series
      });
      chart.on("click", function (p) { if (p.data && p.data.url) window.location = p.data.url; });
    }).catch(function () { chart.hideLoading(); });
  }

  function liveChart() {
    var el = document.getElementById("occupancy-chart");
    if (!el) return;
    var chart = XZCharts.init(el);
    function draw(d) {
      chart.setOption({
        grid: { left: 50, right: 45, top: 20, bottom: 30 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "time", axisLabel: { formatter: { day: "{MM}-{dd}", hour: "{HH}:{mm}" } } },
        yAxis: { type: "value", max: function (v) { return Math.max(v.max, d.saturated_at) * 1.05 | 0; } },
        series: [{
          type: "line", name: el.dataset.label || "", showSymbol: false, data: d.series,
          areaStyle: { opacity: 0.15 }, lineStyle: { width: 2 }, itemStyle: { color: "#0b4a8b" },
          markLine: { silent: true, symbol: "none", data: [
            { yAxis: d.warning_at, lineStyle: { color: LEVEL_COLORS.warning } },
            { yAxis: d.saturated_at, lineStyle: { color: LEVEL_COLORS.saturated } }
          ] }
        }, {
          // the latest count as a dot: it stays visible after an overnight gap in the line
          type: "scatter", silent: true, symbolSize: 8, itemStyle: { color: "#0b4a8b" },
          data: d.series.slice(-1)
        }]
      });
      var occ = document.getElementById("kpi-occupancy");
      if (occ) occ.textContent = d.occupancy;
      var ent = document.getElementById("kpi-entries");
      if (ent) ent.textContent = d.entries_today;
      var pct = document.getElementById("kpi-percent");
      if (pct && d.percent !== null) pct.textContent = d.percent + "%";
      var lvl = document.getElementById("spot-level");
      if (lvl) { lvl.textContent = d.level_label; lvl.className = "xz-level xz-level-" + d.level + " fs-6 align-middle"; }
      el.dataset.points = d.series.length;
    }
    function poll() {
      fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(draw).catch(function () {});
    }
    poll();
    setInterval(poll, 10000);
  }

  function forecastChart() {
    var el = document.getElementById("forecast-chart");
    var data = XZCharts.dataOf("forecast-data");
    if (!el || !data) return;
    var chart = XZCharts.init(el);
    var days = data.slice(0, 14);
    chart.setOption({
      grid: { left: 50, right: 20, top: 20, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: days.map(function (d) { return d.date.slice(5) + (d.holiday ? " *" : ""); }) },
      yAxis: { type: "value" },
      series: [
        { type: "line", stack: "band", data: days.map(function (d) { return d.low; }), lineStyle: { opacity: 0 }, showSymbol: false },
        { type: "line", stack: "band", data: days.map(function (d) { return d.high - d.low; }), lineStyle: { opacity: 0 }, areaStyle: { color: "#9ec1e6", opacity: 0.4 }, showSymbol: false },
        { type: "line", name: "forecast", data: days.map(function (d) { return d.arrivals; }), itemStyle: { color: "#0b4a8b" } }
      ]
    });
  }

  function dataCharts() {
    var data = XZCharts.dataOf("tourism-data");
    if (!data) return;
    var monthly = document.getElementById("monthly-chart");
    if (monthly) {
      XZCharts.init(monthly).setOption({
        tooltip: { trigger: "axis" }, legend: { bottom: 0, type: "scroll" },
        grid: { left: 60, right: 20, top: 20, bottom: 50 },
        xAxis: { type: "category", data: data.months }, yAxis: { type: "value" },
        series: data.prefectures.map(function (p) { return { type: "bar", stack: "v", name: p, data: data.series[p] }; })
      });
    }
    var origin = document.getElementById("origin-chart");
    if (origin) {
      XZCharts.init(origin).setOption({
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "70%"], data: data.origins.map(function (o) { return { name: o[0], value: o[1] }; }) }]
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () { spotMap(); liveChart(); forecastChart(); dataCharts(); });
})();
