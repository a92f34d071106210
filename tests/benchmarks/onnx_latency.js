#!/usr/bin/env node
// Times an ONNX model in ONNX Runtime's CPU build (npm onnxruntime-node, all graph optimizations:
// QDQ pairs fused into its integer kernels, what a deployment runs) on random images in [0, 1] of
// BATCH x C x H x W; prints {"runtime", "batch", "threads", "median_ms"} as JSON. Exit 77 when
// onnxruntime-node is not installed (installer/install-onnxruntime.sh).
// Usage: onnx_latency.js ORT_DIR MODEL.onnx BATCH REPEATS THREADS C H W
'use strict';
const path = require('path');

async function main() {
  const [ortDir, modelPath, batchText, repeatsText, threadsText, c, h, w] = process.argv.slice(2);
  let ort;
  try {
    ort = require(path.join(ortDir, 'node_modules', 'onnxruntime-node'));
  } catch (error) {
    console.log(`onnxruntime-node not installed in ${ortDir}: skipped`);
    process.exit(77);
  }
  const batch = Number(batchText), repeats = Number(repeatsText), threads = Number(threadsText);
  const session = await ort.InferenceSession.create(modelPath, {
    graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
  });
  const dims = [batch, Number(c), Number(h), Number(w)];
  const pixels = new Float32Array(dims.reduce((a, b) => a * b));
  for (let i = 0; i < pixels.length; ++i) pixels[i] = Math.random();
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', pixels, dims) };
  await session.run(feeds); // warm-up
  const times = [];
  for (let r = 0; r < repeats; ++r) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const version = require(path.join(ortDir, 'node_modules', 'onnxruntime-node', 'package.json')).version;
  process.stdout.write(JSON.stringify({
    runtime: `onnxruntime-node ${version}`, batch, threads, median_ms: times[Math.floor(times.length / 2)],
  }));
}

main().catch((error) => {
  console.error(`ONNX Runtime failed: ${error.message}`);
  process.exit(1);
});
