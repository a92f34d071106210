#!/usr/bin/env python3
"""Makes the TorchScript test models of issue 6 with Debian's python3-torch: small CNNs of the
kinds users bring (plain, residual, depthwise-separable, nested submodules with custom names, and
a traced one), briefly trained on Fashion-MNIST, plus models that must be refused. Next to each
model, a JSON file records what PyTorch reports: the conv/linear layers in the order data flows
through them (qualified name, weight shape, parameters), and the float top-1 on the first 1,000
test images. The C++ tests compare Quantscope's import against these.

Usage: make_torchscript_models.py OUT_DIR [DATA_DIR]   (deterministic: seeded, one thread)
       make_torchscript_models.py --verify DIR [DATA_DIR]
       make_torchscript_models.py --normalising DIR   (from DIR/residual.pt: normalisation inside forward)
       make_torchscript_models.py --bad-crc DIR   (DIR/plain_cnn.pt with one weight byte flipped: bad_crc.pt)
       make_torchscript_models.py --more-ops DIR [DATA_DIR]   (operators beyond the zoo's, and one outside
                                                               what Quantscope writes operator by operator)
--verify loads the committed models in this PyTorch and checks their JSON files against them (the
layers' shapes and parameters, the float top-1); exit 77 when python3-torch is missing."""
import collections
import json
import os
import sys

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("python3-torch not installed: skipped")
    sys.exit(77)

from check_torchscript import read_idx

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST's pixel statistics, for the model that normalises


class PlainCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc1 = nn.Linear(32, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc2(F.relu(self.fc1(x)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResidualNet(nn.Module):
    """Normalises nothing itself: trained on (x - MEAN) / STD, which Quantscope must apply."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = BasicBlock(16, 16, 1)
        self.layer2 = BasicBlock(16, 32, 2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def separable(cin, cout, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class DepthwiseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.Sequential(separable(16, 32, 1), separable(32, 48, 2))
        self.classifier = nn.Linear(48, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.classifier(F.adaptive_avg_pool2d(x, 1).flatten(1))


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.squeeze = nn.Conv2d(24, 24, 1)
        self.classify = nn.Linear(24, 10)

    def forward(self, x):
        x = F.relu(self.squeeze(x))
        return self.classify(F.adaptive_avg_pool2d(x, 1).flatten(1))


class NestedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(collections.OrderedDict([
            ("entry_conv", nn.Conv2d(1, 12, 5, padding=2)),
            ("entry_act", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)),
            ("deep", nn.Sequential(collections.OrderedDict([
                ("conv_a", nn.Conv2d(12, 24, 3, padding=1)),
                ("act_a", nn.ReLU()),
            ]))),
        ]))
        self.head = Head()

    def forward(self, x):
        return self.head(self.features(x))


class TracedCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.out = nn.Linear(32, 10)

    def forward(self, x):
        return self.out(self.body(x).flatten(1))


class NoLayers(nn.Module):
    def forward(self, x):
        return x.flatten(1)[:, :10]


class RaisesInForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        if x.size(0) > 0:
            raise RuntimeError("this model refuses to run")
        return self.fc(x.flatten(1))


class ColourInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.conv(x), 1).flatten(1))


def train(model, images, labels, normalise, steps=1000):
    torch.manual_seed(1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    model.train()
    for step in range(steps):
        batch = torch.randint(0, len(images), (64,))
        x = normalise(images[batch].float() / 255.0)
        loss = F.cross_entropy(model(x), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def layer_order(model, example):
    """Conv and linear layers in the order the forward pass calls them, as PyTorch names them."""
    order = []
    hooks = [module.register_forward_hook(lambda m, i, o, name=name: order.append(name))
             for name, module in model.named_modules() if isinstance(module, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(example)
    for hook in hooks:
        hook.remove()
    modules = dict(model.named_modules())
    return [{"name": name, "kind": "conv2d" if isinstance(modules[name], nn.Conv2d) else "linear",
             "weight_shape": list(modules[name].weight.shape),
             "parameters": sum(p.numel() for p in modules[name].parameters())} for name in order]


def accuracy(module, images, labels, normalise):
    with torch.no_grad():
        logits = torch.cat([module(normalise(images[i:i + 250].float() / 255.0)) for i in range(0, len(images), 250)])
    return 100.0 * float((logits.argmax(1) == labels).float().mean())


def verify(directory, data_dir):
    images = read_idx(f"{data_dir}/t10k-images-idx3-ubyte.gz")[:1000]
    labels = read_idx(f"{data_dir}/t10k-labels-idx1-ubyte.gz")[:1000]
    failures = 0
    for name in ["plain_cnn", "residual", "depthwise", "nested", "traced"]:
        with open(f"{directory}/{name}.json") as f:
            reference = json.load(f)
        module = torch.jit.load(f"{directory}/{name}.pt")
        module.eval()
        modules = dict(module.named_modules())
        for layer in reference["layers"]:
            weight = modules[layer["name"]].weight
            parameters = sum(p.numel() for p in modules[layer["name"]].parameters())
            if list(weight.shape) != layer["weight_shape"] or parameters != layer["parameters"]:
                print(f"FAIL: {name} {layer['name']}: PyTorch has {list(weight.shape)}, {parameters} parameters")
                failures += 1
        mean, std = reference["mean"], reference["std"]
        normalise = (lambda x: (x - mean[0]) / std[0]) if mean else (lambda x: x)
        measured = accuracy(module, images, labels, normalise)
        ok = abs(measured - reference["float_accuracy"]) < 0.01
        failures += not ok
        print(f"{name}: {measured:.2f} % in PyTorch {torch.__version__}, reference {reference['float_accuracy']:.2f} %"
              + ("" if ok else "  FAIL"))
    sys.exit(1 if failures else 0)


class NormalisingInside(nn.Module):
    """A trained network that expects normalised input, with the normalisation moved into
    `forward`: its first layer reads the image through elementwise ops, not the input tensor."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.full((1, 1, 1, 1), MEAN))
        self.register_buffer("std", torch.full((1, 1, 1, 1), STD))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def make_normalising(directory):
    """normalising_scripted.pt and normalising_traced.pt: residual.pt (which expects normalised
    input) with the normalisation inside `forward`, scripted and traced; the same weights."""
    net = torch.jit.load(f"{directory}/residual.pt")
    net.eval()
    wrapped = NormalisingInside(net)
    torch.jit.script(wrapped).save(f"{directory}/normalising_scripted.pt")
    torch.jit.trace(wrapped, torch.zeros(2, 1, 28, 28)).save(f"{directory}/normalising_traced.pt")


class MoreOps(nn.Module):
    """Operators beyond the zoo's, as networks users bring have them: ReLU6 and leaky ReLU in place,
    average pooling, a dilated convolution, a sigmoid gate (mul), concatenation, hardtanh, a mean
    over height and width, view with x.size(0), dropout and log_softmax."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 12, 3, padding=1)
        self.conv2 = nn.Conv2d(12, 12, 3, padding=2, dilation=2)
        self.gate = nn.Conv2d(12, 12, 1)
        self.conv3 = nn.Conv2d(24, 24, 3, stride=2, padding=1)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = F.avg_pool2d(F.relu6(self.conv1(x), inplace=True), 2)
        y = self.conv2(x)
        F.leaky_relu_(y, 0.1)  # in place: the next line reads the mutated y
        y = y * torch.sigmoid(self.gate(y))
        x = F.hardtanh(self.conv3(torch.cat([x, y], 1)), -1.0, 3.0)
        x = x.mean((2, 3), keepdim=True)
        x = self.drop(x.view(x.size(0), -1))
        return F.log_softmax(self.fc(x), 1)


class UnsupportedOp(nn.Module):
    """A running sum over channels: no operator Quantscope writes to ONNX."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4, 10)

    def forward(self, x):
        x = torch.cumsum(F.relu(self.conv(x)), 1)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def make_more_ops(directory, data_dir):
    """more_ops_scripted.pt and more_ops_traced.pt (MoreOps briefly trained, the same weights) and
    unsupported_op.pt (untrained: it is only ever refused)."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = MoreOps()
    images = read_idx(f"{data_dir}/train-images-idx3-ubyte.gz")
    labels = read_idx(f"{data_dir}/train-labels-idx1-ubyte.gz")
    train(model, images, labels, lambda x: x)
    torch.jit.script(model).save(f"{directory}/more_ops_scripted.pt")
    torch.jit.trace(model, torch.zeros(2, 1, 28, 28)).save(f"{directory}/more_ops_traced.pt")
    torch.manual_seed(0)
    torch.jit.script(UnsupportedOp()).save(f"{directory}/unsupported_op.pt")


def make_bad_crc(directory):
    """bad_crc.pt: plain_cnn.pt with one byte of a weight tensor flipped, as a damaged download or
    disk would leave it; the zip member's CRC-32 no longer matches (LibTorch loads it regardless)."""
    import struct
    import zipfile
    source = f"{directory}/plain_cnn.pt"
    member = next(i for i in zipfile.ZipFile(source).infolist() if "/data/" in i.filename and i.file_size > 1000)
    data = bytearray(open(source, "rb").read())
    name_length, extra_length = struct.unpack("<HH", data[member.header_offset + 26:member.header_offset + 30])
    data[member.header_offset + 30 + name_length + extra_length + 100] ^= 0xFF
    with open(f"{directory}/bad_crc.pt", "wb") as f:
        f.write(data)


def main():
    if sys.argv[1] == "--bad-crc":
        make_bad_crc(sys.argv[2])
        return
    if sys.argv[1] == "--normalising":
        make_normalising(sys.argv[2])
        return
    if sys.argv[1] == "--more-ops":
        make_more_ops(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist")
        return
    if sys.argv[1] == "--verify":
        verify(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist")
    out_dir = sys.argv[1]
    data_dir = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    train_images = read_idx(f"{data_dir}/train-images-idx3-ubyte.gz")
    train_labels = read_idx(f"{data_dir}/train-labels-idx1-ubyte.gz")
    test_images = read_idx(f"{data_dir}/t10k-images-idx3-ubyte.gz")[:1000]
    test_labels = read_idx(f"{data_dir}/t10k-labels-idx1-ubyte.gz")[:1000]
    example = torch.zeros(2, 1, 28, 28)
    models = [("plain_cnn", PlainCnn, "script", False), ("residual", ResidualNet, "script", True),
              ("depthwise", DepthwiseNet, "script", False), ("nested", NestedNet, "script", False),
              ("traced", TracedCnn, "trace", False)]
    for name, make, how, normalised in models:
        torch.manual_seed(0)
        model = make()
        normalise = (lambda x: (x - MEAN) / STD) if normalised else (lambda x: x)
        train(model, train_images, train_labels, normalise)
        scripted = torch.jit.script(model) if how == "script" else torch.jit.trace(model, example)
        scripted.save(f"{out_dir}/{name}.pt")
        reference = {"model": f"{name}.pt", "made_by": how, "input": [1, 28, 28],
                     "mean": [MEAN] if normalised else [], "std": [STD] if normalised else [],
                     "layers": layer_order(model, example),
                     "float_accuracy": accuracy(scripted, test_images, test_labels, normalise),
                     "images": len(test_images), "torch": torch.__version__}
        with open(f"{out_dir}/{name}.json", "w") as f:
            json.dump(reference, f, indent=1)
        print(f"{name}: {len(reference['layers'])} layers, {reference['float_accuracy']:.2f} % float")
    for name, make in [("bad_no_layers", NoLayers), ("bad_raises", RaisesInForward), ("bad_colour_input", ColourInput)]:
        torch.jit.script(make()).save(f"{out_dir}/{name}.pt")
    torch.save(PlainCnn().state_dict(), f"{out_dir}/bad_state_dict.pt")  # a pickle, not TorchScript


if __name__ == "__main__":
    main()
