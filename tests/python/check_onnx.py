#!/usr/bin/env python3
"""Checks a Quantscope ONNX export: onnx.checker (with shape inference) passes, and the model,
executed operator by operator as the ONNX specification defines each one, scores on the first N
Fashion-MNIST test images what Quantscope reported (`quantscope-cli eval --search-size 0 --split
holdout --limit N`), within 0.1 points. Debian has no ONNX runtime, so the operators the export
writes are evaluated here with PyTorch tensors.

With --compare, the ONNX model's logits on the first 64 test images are compared with those of a
TorchScript export of the same configuration (which the C++ tests compare with Quantscope's own
simulation), for architectures trained on other data.

With --runtime, logits an ONNX runtime computed (tests/node/onnx_logits.js: ONNX Runtime) are
compared with the TorchScript export's on the same images (MEAN and STD: the TorchScript export
of an imported network that expects normalised input gets it; the ONNX model normalises inside).
Run as the specification defines each operator (optimization "disabled"), the logits must be
equal; with the runtime's default optimizations (QDQ pairs fused into integer kernels, biases
rounded to int32, other summation orders) a value at a rounding boundary may land on the next
level, so only the top-1 must agree.

Usage: check_onnx.py MODEL.onnx EXPECTED_ACCURACY N [DATA_DIR]
       check_onnx.py --compare MODEL.onnx MODEL.pt [DATA_DIR]
       check_onnx.py --runtime LOGITS.json MODEL.onnx MODEL.pt [DATA_DIR [MEAN STD]]
Exits 77 (skipped) when python3-onnx or python3-torch is missing."""
import sys

try:
    import onnx
    import onnx.numpy_helper
    import torch
except ImportError as error:
    print(f"{error.name} not installed: skipped")
    sys.exit(77)

from check_torchscript import check_accuracy, read_idx

INTEGER_RANGE = {torch.int8: (-128, 127), torch.uint8: (0, 255)}


def per_axis(tensor, reference, axis):
    """A scale or zero point of DequantizeLinear/QuantizeLinear, broadcast along `axis`."""
    if tensor.dim() == 0:
        return tensor
    shape = [1] * reference.dim()
    shape[axis] = -1
    return tensor.reshape(shape)


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_node(node, args):
    a = attributes(node)
    op = node.op_type
    if op == "QuantizeLinear":
        x, scale, zero = args
        lo, hi = INTEGER_RANGE[zero.dtype]
        axis = a.get("axis", 1)
        q = torch.round(x / per_axis(scale, x, axis)) + per_axis(zero, x, axis).float()  # half to even
        return q.clamp(lo, hi).to(zero.dtype)
    if op == "DequantizeLinear":
        q, scale, zero = args
        axis = a.get("axis", 1)
        return (q.float() - per_axis(zero, q, axis).float()) * per_axis(scale, q, axis)
    if op == "Clip":
        return args[0].clamp(args[1].item(), args[2].item())
    if op == "Conv":
        pads = a.get("pads", [0, 0, 0, 0])
        assert pads[:2] == pads[2:], "asymmetric padding"
        return torch.nn.functional.conv2d(args[0], args[1], args[2] if len(args) > 2 else None,
                                          a.get("strides", [1, 1]), pads[:2], 1, a.get("group", 1))
    if op == "BatchNormalization":
        x, weight, bias, mean, var = args
        return torch.nn.functional.batch_norm(x, mean, var, weight, bias, False, 0.0, a.get("epsilon", 1e-5))
    if op == "MaxPool":
        pads = a.get("pads", [0, 0, 0, 0])
        return torch.nn.functional.max_pool2d(args[0], a["kernel_shape"], a.get("strides", [1, 1]), pads[:2])
    if op == "Gemm":
        assert a.get("transB", 0) == 1 and a.get("transA", 0) == 0
        return torch.nn.functional.linear(args[0], args[1], args[2] if len(args) > 2 else None)
    if op == "GlobalAveragePool":
        return args[0].mean((2, 3), keepdim=True)
    if op == "Flatten":
        return args[0].flatten(a.get("axis", 1))
    if op == "Concat":
        return torch.cat(args, a["axis"])
    simple = {"Relu": torch.relu, "Identity": lambda x: x, "Add": torch.add, "Sub": torch.sub, "Div": torch.div}
    if op in simple:
        return simple[op](*args)
    raise NotImplementedError(f"operator {op} is not covered by this checker")


def run_model(model, images):
    values = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    values[model.graph.input[0].name] = images
    for node in model.graph.node:
        result = run_node(node, [values[name] for name in node.input])
        values[node.output[0]] = result
    return values[model.graph.output[0].name]


def load_checked(model_path):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    ops = [n.op_type for n in model.graph.node]
    print(f"onnx {onnx.__version__}: checker passed; opset {model.opset_import[0].version}, "
          f"{ops.count('QuantizeLinear')} QuantizeLinear, {ops.count('DequantizeLinear')} DequantizeLinear")
    if ops.count("QuantizeLinear") == 0 or ops.count("DequantizeLinear") == 0:
        print("FAIL: no QDQ pairs")
        sys.exit(1)
    return model


def compare(onnx_path, torchscript_path, data_dir):
    model = load_checked(onnx_path)
    images = read_idx(f"{data_dir}/t10k-images-idx3-ubyte.gz")[:64].float() / 255.0
    with torch.no_grad():
        expected = torch.jit.load(torchscript_path)(images)
        actual = run_model(model, images)
    difference = float((actual - expected).abs().max())
    scale = float(expected.abs().max())
    agree = float((actual.argmax(1) == expected.argmax(1)).float().mean())
    print(f"max |ONNX - TorchScript| = {difference:.3g} (logit scale {scale:.3g}); top-1 agrees on {100 * agree:.1f} %")
    if difference > 1e-3 * scale or agree < 1.0:
        print("FAIL: the ONNX model computes something else")
        sys.exit(1)


def compare_runtime(logits_path, onnx_path, torchscript_path, data_dir, mean=0.0, std=1.0):
    """Logits an ONNX runtime computed (tests/node/onnx_logits.js) against the TorchScript export's."""
    import json
    load_checked(onnx_path)
    with open(logits_path) as f:
        reported = json.load(f)
    actual = torch.tensor(reported["logits"])
    images = read_idx(f"{data_dir}/t10k-images-idx3-ubyte.gz")[:len(actual)].float() / 255.0
    with torch.no_grad():
        expected = torch.jit.load(torchscript_path)((images - mean) / std)
    scale = float(expected.abs().max())
    per_image = (actual - expected).abs().max(1).values
    same = float((per_image <= 1e-3 * scale).float().mean())
    agree = float((actual.argmax(1) == expected.argmax(1)).float().mean())
    optimization = reported.get("optimization", "all")
    print(f"{reported['runtime']} (optimization {optimization}): logits equal the TorchScript export's (within "
          f"1e-3 of their scale {scale:.3g}) on {100 * same:.1f} % of {len(actual)} images (largest difference "
          f"{float(per_image.max()):.3g}); top-1 agrees on {100 * agree:.1f} %")
    # An activation exactly half-way between two levels may still round the other way (the runtime
    # divides by the scale differently): one level on one activation, on isolated images.
    if agree < 0.99 or (optimization == "disabled" and same < 0.98):
        print("FAIL: ONNX Runtime computes something else")
        sys.exit(1)


def main():
    default_data = "/usr/share/datasets/fashion-mnist"
    if sys.argv[1] == "--runtime":
        normalisation = [float(v) for v in sys.argv[6:8]]
        compare_runtime(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else default_data,
                        *normalisation)
        return
    if sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else default_data)
        return
    model_path, expected, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    data_dir = sys.argv[4] if len(sys.argv) > 4 else default_data
    model = load_checked(model_path)
    check_accuracy(lambda images: run_model(model, images), "ONNX model", expected, count, data_dir)


if __name__ == "__main__":
    main()
