#!/usr/bin/env python3
"""Image folders against torchvision (tests/cli/image_folder_study.sh drives it):

  make DIR          writes a small colour data set, DIR/data/{train,val}/<class>/*.jpg (JPEGs of
                    varied sizes, saved by PIL), trains a small CNN on it in PyTorch with
                    Resize(36), CenterCrop(32), ToTensor, Normalize(mean, std), scripts it to
                    DIR/net.pt and writes DIR/reference.json (mean, std, its top-1 on val/).
  tensors DIR NPY   compares Quantscope's preprocessed val/ images (`quantscope-cli data
                    --save-images NPY --split holdout`) with torchvision's: at most 1/255 apart on
                    average (what it prints is the measured difference).
  score MODEL DIR EXPECTED TOLERANCE
                    top-1 of an exported TorchScript file on val/, through torchvision's
                    transforms and the reference normalisation, within TOLERANCE points of EXPECTED.

Exits 77 (skipped) when python3-torchvision is missing."""
import json
import os
import sys

try:
    import numpy as np
    import torch
    import torchvision
    from PIL import Image, ImageDraw
    from torchvision import transforms as T
except ImportError:
    print("python3-torchvision not installed: skipped")
    sys.exit(77)

CLASSES = ["circle", "square", "stripes", "triangle"]
RESIZE, CROP = 36, 32


def draw(kind, rng):
    """One image of class `kind`: a shape of a random colour on a noisy background of another."""
    width, height = int(rng.integers(40, 100)), int(rng.integers(40, 100))
    background = tuple(int(v) for v in rng.integers(0, 256, 3))
    image = Image.new("RGB", (width, height), background)
    pen = ImageDraw.Draw(image)
    colour = tuple(int(v) for v in (255 - np.array(background) + rng.integers(-40, 40, 3)) % 256)
    cx, cy, r = width / 2 + rng.normal(0, 3), height / 2 + rng.normal(0, 3), min(width, height) * rng.uniform(0.25, 0.4)
    if kind == "circle":
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    elif kind == "square":
        pen.rectangle([cx - r, cy - r, cx + r, cy + r], fill=colour)
    elif kind == "triangle":
        pen.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)
    else:
        for x in range(0, width, 8):
            pen.rectangle([x, 0, x + 3, height], fill=colour)
    noisy = np.asarray(image).astype(float) + rng.normal(0, 12, (height, width, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def normalised(mean, std):
    return T.Compose([T.Resize(RESIZE), T.CenterCrop(CROP), T.ToTensor(), T.Normalize(mean, std)])


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1))
        self.classifier = torch.nn.Linear(32, len(CLASSES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += int((model(x).argmax(1) == y).sum())
            total += len(y)
    return 100.0 * correct / total


def make(root):
    rng = np.random.default_rng(7)
    for split, count in (("train", 60), ("val", 30)):
        for kind in CLASSES:
            os.makedirs(f"{root}/data/{split}/{kind}", exist_ok=True)
            for i in range(count):
                draw(kind, rng).save(f"{root}/data/{split}/{kind}/{i:03d}.jpg", quality=int(rng.integers(70, 95)))
    # The training images' statistics, as torchvision users compute them.
    plain = torchvision.datasets.ImageFolder(f"{root}/data/train", T.Compose([T.Resize(RESIZE), T.CenterCrop(CROP),
                                                                            T.ToTensor()]))
    pixels = torch.stack([x for x, _ in plain])
    mean, std = pixels.mean((0, 2, 3)).tolist(), pixels.std((0, 2, 3)).tolist()
    torch.manual_seed(0)
    train = torchvision.datasets.ImageFolder(f"{root}/data/train", T.Compose([
        T.RandomResizedCrop(CROP, scale=(0.5, 1.0)), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(mean, std)]))
    val = torchvision.datasets.ImageFolder(f"{root}/data/val", normalised(mean, std))
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loader = torch.utils.data.DataLoader(train, batch_size=32, shuffle=True)
    for _ in range(30):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    model.eval()
    torch.jit.script(model).save(f"{root}/net.pt")
    top1 = accuracy(model, torch.utils.data.DataLoader(val, batch_size=50))
    with open(f"{root}/reference.json", "w") as f:
        json.dump({"mean": mean, "std": std, "val_accuracy": top1, "classes": train.classes}, f)
    print(f"trained on {len(train)} images: {top1:.2f} % top-1 on {len(val)} val images; "
          f"mean {','.join(f'{m:.4f}' for m in mean)} std {','.join(f'{s:.4f}' for s in std)}")


def tensors(root, npy):
    ours = np.load(npy)
    labels = np.load(npy[:-len(".npy")] + ".labels.npy")
    theirs = torchvision.datasets.ImageFolder(f"{root}/data/val", T.Compose([T.Resize(RESIZE), T.CenterCrop(CROP),
                                                                           T.PILToTensor()]))
    reference = np.stack([np.asarray(x) for x, _ in theirs])
    if ours.shape != reference.shape or list(labels) != [y for _, y in theirs.samples]:
        print(f"FAIL: Quantscope gave {ours.shape} images, torchvision {reference.shape}, or other labels")
        sys.exit(1)
    difference = np.abs(ours.astype(int) - reference.astype(int))
    mean, largest = difference.mean() / 255.0, difference.max() / 255.0
    print(f"preprocessed val images ({ours.shape[0]} x {'x'.join(map(str, ours.shape[1:]))}): mean |difference| "
          f"{mean:.6f}, largest {largest:.6f} (ToTensor units; 1/255 = {1 / 255:.6f})")
    if mean > 1.0 / 255.0:
        print("FAIL: more than 1/255 apart on average")
        sys.exit(1)


def score(model_path, root, expected, tolerance):
    with open(f"{root}/reference.json") as f:
        reference = json.load(f)
    model = torch.jit.load(model_path)
    val = torchvision.datasets.ImageFolder(f"{root}/data/val", normalised(reference["mean"], reference["std"]))
    top1 = accuracy(model, torch.utils.data.DataLoader(val, batch_size=50))
    print(f"PyTorch scores {model_path} {top1:.2f} % on {len(val)} val images; Quantscope said {expected:.2f} %")
    if abs(top1 - expected) > tolerance:
        print(f"FAIL: more than {tolerance} points apart")
        sys.exit(1)


if __name__ == "__main__":
    torch.set_num_threads(1)
    command = sys.argv[1]
    if command == "make":
        make(sys.argv[2])
    elif command == "tensors":
        tensors(sys.argv[2], sys.argv[3])
    elif command == "score":
        score(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit(f"unknown command {command}")
