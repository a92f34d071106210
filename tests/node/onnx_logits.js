#!/usr/bin/env node
// Runs a Quantscope ONNX export in ONNX Runtime (CPU, the npm package onnxruntime-node) on the
// first N Fashion-MNIST test images and prints its logits as JSON rows. Exit 77 (skipped) when
// onnxruntime-node is not installed (installer/install-onnxruntime.sh). OPTIMIZATION is ONNX
// Runtime's graph optimization level: "all" (its default, what a deployment runs: QDQ pairs fused
// into integer kernels) or "disabled" (every operator as the ONNX specification defines it).
// Usage: onnx_logits.js ORT_DIR MODEL.onnx N [DATA_DIR [OPTIMIZATION]]
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

async function main() {
  const [ortDir, modelPath, countText, dataDir = '/usr/share/datasets/fashion-mnist', optimization = 'all'] =
    process.argv.slice(2);
  let ort;
  try {
    ort = require(path.join(ortDir, 'node_modules', 'onnxruntime-node'));
  } catch (error) {
    console.log(`onnxruntime-node not installed in ${ortDir}: skipped`);
    process.exit(77);
  }
  const count = Number(countText);
  const idx = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, 't10k-images-idx3-ubyte.gz')));
  const rows = idx.readUInt32BE(8), cols = idx.readUInt32BE(12);
  const pixels = new Float32Array(count * rows * cols);
  for (let i = 0; i < pixels.length; ++i) pixels[i] = idx[16 + i] / 255.0;
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: optimization });
  const input = new ort.Tensor('float32', pixels, [count, 1, rows, cols]);
  const output = (await session.run({ [session.inputNames[0]]: input }))[session.outputNames[0]];
  const classes = output.dims[1];
  const logits = [];
  for (let n = 0; n < count; ++n) logits.push(Array.from(output.data.slice(n * classes, (n + 1) * classes)));
  const version = require(path.join(ortDir, 'node_modules', 'onnxruntime-node', 'package.json')).version;
  process.stdout.write(JSON.stringify({ runtime: `onnxruntime-node ${version}`, optimization, logits }));
}

main().catch((error) => {
  console.error(`ONNX Runtime failed: ${error.message}`);
  process.exit(1);
});
