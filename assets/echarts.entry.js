// The ECharts modules the platform's pages use, bundled by `make assets` (scripts/vendor_assets.sh)
// into static/vendor/echarts/echarts.min.js and exposed as the global `echarts`: a third of the
// full build. A page that needs another chart or component adds it here and runs `make assets`.
import * as echarts from "echarts/core";
import {
  BarChart,
  GaugeChart,
  LineChart,
  LinesChart,
  MapChart,
  PieChart,
  ScatterChart,
} from "echarts/charts";
import {
  GeoComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { LabelLayout } from "echarts/features";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  GaugeChart,
  LineChart,
  LinesChart,
  MapChart,
  PieChart,
  ScatterChart,
  GeoComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  LabelLayout,
  CanvasRenderer,
]);

window.echarts = echarts;
