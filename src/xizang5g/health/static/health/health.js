/* Medical pages: the dispatch map, a call's NEWS2 trend, and the live hospital emergency board. */
(function () {
  "use strict";
  var STATE_COLORS = { available: "#1f9d55", dispatched: "#0b4a8b", en_route: "#0b4a8b", on_scene: "#e0a100",
    transporting: "#e07a00", at_hospital: "#0a8ca8", out_of_service: "#8a94a6" };
  var RESPONSE_COLORS = { low: "#1f9d55", "low-medium": "#e0a100", medium: "#e07a00", high: "#d64545" };

  function dispatchMap() {
    var el = document.getElementById("dispatch-map");
    if (!el) return;
    var data = XZCharts.dataOf("dispatch-map-data");
    var chart = XZCharts.init(el);
    chart.showLoading();
    fetch(el.dataset.geo, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        echarts.registerMap("xizang-counties", geo);
        chart.hideLoading();
        var points = data.ambulances.concat(data.calls.map(function (c) { return [c[0], c[1]]; }));
        var lons = points.map(function (p) { return p[0]; }), lats = points.map(function (p) { return p[1]; });
        var center = points.length ? [(Math.min.apply(null, lons) + Math.max.apply(null, lons)) / 2,
          (Math.min.apply(null, lats) + Math.max.apply(null, lats)) / 2] : undefined;
        chart.setOption({
          tooltip: { trigger: "item" },
          geo: { map: "xizang-counties", roam: true, center: center, zoom: points.length ? 12 : 1, scaleLimit: { min: 1, max: 80 },
            itemStyle: { areaColor: "#f3f6fa", borderColor: "#b8c7d9", borderWidth: 0.6 }, label: { show: false } },
          series: [
            { type: "scatter", coordinateSystem: "geo", name: "ambulances", symbol: "roundRect", symbolSize: 12,
              data: data.ambulances.map(function (a) { return { value: [a[0], a[1]], name: a[2] + " · " + a[4], itemStyle: { color: STATE_COLORS[a[3]] || "#5b6b7f" } }; }),
              tooltip: { formatter: function (p) { return p.data.name; } } },
            { type: "scatter", coordinateSystem: "geo", name: el.dataset.callsLabel || "Calls", symbol: "pin", symbolSize: 26, z: 5,
              itemStyle: { color: "#d64545" },
              data: data.calls.map(function (c) { return { value: [c[0], c[1]], name: c[2] + " · " + c[5], id: c[4] }; }),
              tooltip: { formatter: function (p) { return p.data.name; } } }
          ]
        });
        chart.on("click", function (p) { if (p.data && p.data.id) window.location = "calls/" + p.data.id + "/"; });
        el.dataset.ready = "1";
      })
      .catch(function () { chart.hideLoading(); el.innerHTML = '<div class="xz-empty"><p>' + el.dataset.error + "</p></div>"; });
  }

  function trendOption(times, scores) {
    return {
      grid: { left: 30, right: 10, top: 10, bottom: 22 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time", axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", min: 0, max: function (v) { return Math.max(10, v.max); }, splitNumber: 4 },
      visualMap: { show: false, pieces: [{ lte: 4, color: "#1f9d55" }, { gt: 4, lte: 6, color: "#e07a00" }, { gt: 6, color: "#d64545" }] },
      series: [{ type: "line", step: "end", showSymbol: false, data: times.map(function (t, i) { return [t, scores[i]]; }),
        markLine: { silent: true, symbol: "none", label: { show: false }, lineStyle: { type: "dashed", color: "#b8c2cf" }, data: [{ yAxis: 5 }, { yAxis: 7 }] } }]
    };
  }

  function callTrend() {
    var el = document.getElementById("news2-trend");
    if (!el) return;
    var data = XZCharts.dataOf("news2-trend-data");
    XZCharts.init(el).setOption(trendOption(data.times, data.scores));
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function board() {
    var root = document.getElementById("board");
    if (!root) return;
    var api = root.dataset.api;
    var charts = {};
    var shown = {};
    root.querySelectorAll(".xz-incoming").forEach(function (card) {
      var id = card.dataset.call;
      shown[id] = true;
      charts[id] = XZCharts.init(card.querySelector("[data-trend]"));
    });

    function refreshCall(id) {
      var card = root.querySelector('.xz-incoming[data-call="' + id + '"]');
      return getJSON(api + "calls/" + id + "/vitals?limit=1").then(function (page) {
        var offset = Math.max(0, page.count - 60);
        return getJSON(api + "calls/" + id + "/vitals?limit=60&offset=" + offset);
      }).then(function (page) {
        var items = page.items;
        charts[id].setOption(trendOption(items.map(function (v) { return v.time; }), items.map(function (v) { return v.score; })));
        card.dataset.points = String(items.length);
        if (!items.length) return;
        var v = items[items.length - 1];
        card.querySelectorAll("[data-v]").forEach(function (node) {
          var key = node.dataset.v, value = v[key];
          node.textContent = key === "spo2" ? value + "%" + (v.on_oxygen ? " O₂" : "") : value;
        });
        var badge = card.querySelector("[data-news2]");
        badge.innerHTML = '<span class="xz-news2 xz-news2-' + v.response + '">NEWS2 ' + v.score + "</span>";
        card.dataset.score = String(v.score);
        card.querySelector("[data-updated]").textContent = new Date(v.time).toLocaleTimeString();
      }).catch(function () { /* keep what is shown; try again on the next tick */ });
    }

    function tick() {
      getJSON(api + "calls?active=true&limit=100").then(function (page) {
        var incoming = page.items.filter(function (c) { return c.hospital && (c.state === "transporting" || c.state === "at_hospital"); });
        if (incoming.some(function (c) { return !shown[c.id]; })) { window.location.reload(); return; }
        Object.keys(shown).forEach(refreshCall);
      }).catch(function () {});
    }
    tick();
    window.setInterval(tick, 3000);
  }

  function news2Distribution() {
    var el = document.getElementById("news2-dist");
    if (!el) return;
    var data = XZCharts.dataOf("news2-dist-data");
    var keys = ["low", "low-medium", "medium", "high"];
    XZCharts.init(el).setOption({
      grid: { left: 70, right: 20, top: 5, bottom: 20 }, tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: keys },
      series: [{ type: "bar", data: keys.map(function (k) { return { value: data[k] || 0, itemStyle: { color: RESPONSE_COLORS[k] } }; }) }]
    });
  }

  function syndromicCurves() {
    var data = XZCharts.dataOf("syndromic-data");
    if (!data) return;
    var colors = { fever: "#d64545", respiratory: "#0b4a8b", diarrhoea: "#e0a100" };
    data.curves.forEach(function (county) {
      var el = document.getElementById("curve-" + county.adcode);
      if (!el) return;
      var series = Object.keys(county.series).map(function (syndrome) {
        var s = county.series[syndrome];
        return { type: "line", name: data.labels[syndrome] || syndrome, showSymbol: false, data: s.counts,
          itemStyle: { color: colors[syndrome] },
          markPoint: { symbol: "triangle", symbolSize: 9, label: { show: false },
            data: s.alarms.map(function (i) { return { coord: [i, s.counts[i]] }; }) } };
      });
      XZCharts.init(el).setOption({ animation: false, grid: { left: 30, right: 10, top: 25, bottom: 22 }, tooltip: { trigger: "axis" },
        legend: { top: 0, textStyle: { fontSize: 11 } },
        xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
        yAxis: { type: "value", minInterval: 1 }, series: series });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { dispatchMap(); callTrend(); board(); news2Distribution(); syndromicCurves(); });
})();
