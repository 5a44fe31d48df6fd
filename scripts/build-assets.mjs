// Builds SkillPath's front-end assets into static/dist (ignored by git).
// Everything the pages need is served by the app itself: prisons are offline.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "static", "css", "app.scss"), {
  style: "compressed",
  sourceMap: false,
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), css.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "images"), { recursive: true });
cpSync(
  join(root, "node_modules", "plotly.js-basic-dist-min", "plotly-basic.min.js"),
  join(out, "plotly-basic.min.js"),
);
// A TrueType font with Latin, Greek, Cyrillic and Vietnamese letters, for certificate PDFs:
// names such as "Łukasz Żółć" and "Nguyễn Thị Minh" must print correctly.
mkdirSync(join(out, "fonts"), { recursive: true });
for (const name of ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]) {
  cpSync(join(root, "node_modules", "dejavu-fonts-ttf", "ttf", name), join(out, "fonts", name));
}
console.log(`assets built in ${out} (app.css ${css.css.length} bytes)`);
