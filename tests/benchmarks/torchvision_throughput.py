#!/usr/bin/env python3
"""torchvision's reading of an image folder, measured as tests/benchmarks/image_folder_throughput
measures Quantscope's: ImageFolder with Resize, CenterCrop, ToTensor and Normalize through a
DataLoader of batch 64 and WORKERS worker processes; images per second of the best of PASSES
passes, as one JSON line.
Usage: torchvision_throughput.py FOLDER RESIZE CROP WORKERS PASSES"""
import json
import sys
import time

import torch
import torchvision
from torchvision import transforms as T


def main():
    folder, resize, crop, workers, passes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(1)
    transform = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(),
                           T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    dataset = torchvision.datasets.ImageFolder(folder, transform)
    loader = torch.utils.data.DataLoader(dataset, batch_size=64, num_workers=workers)
    best = 0.0
    for _ in range(passes):
        start = time.perf_counter()
        for images, _ in loader:
            images.sum()
        best = max(best, len(dataset) / (time.perf_counter() - start))
    print(json.dumps({"workers": workers, "images": len(dataset), "images_per_second": round(best, 1)}))


if __name__ == "__main__":
    main()
