#!/usr/bin/env python3
"""Loads a Quantscope TorchScript export in PyTorch and checks its top-1 on the first N images of
the Fashion-MNIST test file against the accuracy Quantscope reported on the same images
(`quantscope-cli eval --search-size 0 --split holdout --limit N`).

Usage: check_torchscript.py MODEL.pt EXPECTED_ACCURACY N [DATA_DIR [MEAN STD]]
MEAN and STD: the normalisation an imported model expects on its input (Quantscope's own exports
normalise inside).
Exits 77 (skipped) when PyTorch is not installed."""
import gzip
import struct
import sys

try:
    import torch
except ImportError:
    print("python3-torch not installed: skipped")
    sys.exit(77)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(count, 1, rows, cols)
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


def check_accuracy(predict, label, expected, count, data_dir):
    """Top-1 of `predict` (float images in [0, 1] -> logits) on the first `count` test images must
    be within 0.1 points of `expected`; exits 1 otherwise."""
    images = read_idx(f"{data_dir}/t10k-images-idx3-ubyte.gz")[:count]
    labels = read_idx(f"{data_dir}/t10k-labels-idx1-ubyte.gz")[:count]
    with torch.no_grad():
        correct = 0
        for start in range(0, count, 250):
            logits = predict(images[start:start + 250].float() / 255.0)
            correct += int((logits.argmax(1) == labels[start:start + 250]).sum())
    accuracy = 100.0 * correct / count
    print(f"{label}: {accuracy:.2f} % on {count} images, Quantscope reported {expected:.2f} %")
    if abs(accuracy - expected) > 0.1:
        print("FAIL: differs by more than 0.1 points")
        sys.exit(1)


def main():
    model_path, expected, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    data_dir = sys.argv[4] if len(sys.argv) > 4 else "/usr/share/datasets/fashion-mnist"
    mean, std = (float(sys.argv[5]), float(sys.argv[6])) if len(sys.argv) > 6 else (0.0, 1.0)
    model = torch.jit.load(model_path)
    model.eval()
    check_accuracy(lambda x: model((x - mean) / std), f"PyTorch {torch.__version__}", expected, count, data_dir)


if __name__ == "__main__":
    main()
