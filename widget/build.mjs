// Bundles src/ into one dist/widget.js (styles inlined), with nothing fetched at run time.
import { build } from "esbuild";

await build({
  entryPoints: ["src/index.js"],
  outfile: "dist/widget.js",
  bundle: true,
  format: "iife",
  minify: true,
  sourcemap: false,
  target: ["es2020", "chrome90", "firefox90", "safari15"],
  loader: { ".css": "text" },
  legalComments: "eof",
  logLevel: "info",
});
