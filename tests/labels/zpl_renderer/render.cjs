// node render.cjs LABELS.zpl OUT_PREFIX WIDTH_MM HEIGHT_MM DOTS_PER_MM -> OUT_PREFIX-0.png, -1.png, ...
const { ready } = require("zpl-renderer-js");
const fs = require("node:fs");

(async () => {
  const [source, prefix, width, height, dotsPerMm] = process.argv.slice(2);
  const { api } = await ready;
  const images = await api.zplToBase64MultipleAsync(
    fs.readFileSync(source, "ascii"), Number(width), Number(height), Number(dotsPerMm)
  );
  images.forEach((png, index) => fs.writeFileSync(`${prefix}-${index}.png`, Buffer.from(png, "base64")));
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
