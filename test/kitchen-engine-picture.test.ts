/** The kitchen picture: a vega-lite spec that renders to a valid SVG and PNG. */
import test from "ava";
import { Kitchen } from "../lib/kitchen/kitchen";
import { kitchenPicture } from "../lib/kitchen/picture";
import { render } from "../lib/viz/render";
import { testLayouts } from "./helpers/testdata";

test("a layout and a stepped kitchen render to SVG and PNG with every station and item named", async (t) => {
  const layouts = testLayouts();
  const k = Kitchen.fromLayout(layouts["synchronous/4_cheeseburger@default"]);
  k.step("Unstack topbun1 from bottombun1 using robot1");
  k.step("Move robot1 from table1 to table3");
  const fig = await render(kitchenPicture(k, { cell: 60 }));
  t.true(fig.svg.startsWith("<svg"));
  for (const name of ["table1", "table2", "table3", "table4", "bottombun1", "cheese1", "patty1 (cooked)", "robot1: topbun1"]) {
    t.true(fig.svg.includes(name), name);
  }
  t.deepEqual([...fig.png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // A seeded layout straight from its Layout object.
  const spec = kitchenPicture(layouts["synchronous/5_double_cheeseburger@42"]) as any;
  t.is(spec.layer.length, 6);
  t.is(spec.layer[1].data.values.length, layouts["synchronous/5_double_cheeseburger@42"].stations.length);
  const fig2 = await render(kitchenPicture(layouts["synchronous/5_double_cheeseburger@42"]));
  t.true(fig2.svg.includes("sink2") && fig2.png.length > 1000);
});
