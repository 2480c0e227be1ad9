"""The PyTorch peer of @twostep/bench, run by pytorch.ts: `python3 pytorch.py <spec.json>`.

PyTorch as its users train an MLP: a torch.nn.Sequential of Linear layers (relu or tanh
hidden, linear output), torch.nn.CrossEntropyLoss on the logits (the batch mean, as twostep's
softmax cross-entropy with its default reduction), torch.optim.SGD with the workload's rate,
float32, eager mode. The Linear layers start from twostep's initial weights and the batches
are the same rows in the same order, read from the spec's float32 file, so its accuracies can
be compared with twostep's entry for entry.

The spec (JSON, written by pytorch.ts) says the mode ("train": one warm-up epoch, then
`epochs` timed in one loop; "gradient": W4's one gradient by autograd, timed `repeats` times
after as many warm-up runs), the threads ("all" for os.cpu_count()), the network and the
arrays in the data file, in order: W1 … WL (Nh × (N(h−1) + 1), bias last), then x, y, and
for "train" the test x and y (labels as float32).

Prints one JSON object on its last stdout line. Exits 3 when `import torch` fails (pytorch.ts
picked this interpreter because torch is found in it, but it may not load), so that the peer
is skipped rather than failed. Standard library and torch only.
"""

import json
import os
import re
import resource
import statistics
import sys
import time
from array import array

EXIT_NO_TORCH = 3


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    threads = os.cpu_count() if spec["threads"] == "all" else int(spec["threads"])
    # Read by the OpenMP runtime when torch loads it: no pool larger than asked for.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        import torch
    except ImportError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(EXIT_NO_TORCH)
    torch.set_num_threads(threads)
    # Eager training runs one op at a time: the inter-op pool (torch.jit.fork, async) would
    # only add idle threads. Must be set before any parallel work.
    torch.set_num_interop_threads(1)

    arrays = read_arrays(torch, spec)
    model = build(torch, spec, arrays)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = arrays["x"], labels(arrays["y"])
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "blas": blas(torch),
    }
    if spec["mode"] == "gradient":
        out.update(gradient(torch, spec, model, loss_fn, x, y))
    else:
        out.update(train(torch, spec, model, loss_fn, x, y, arrays))
    out["peakRss"] = peak_rss()
    print(json.dumps(out))


def read_arrays(torch, spec):
    """The float32 arrays of the data file, by name, each in its shape."""
    with open(spec["data"], "rb") as f:
        flat = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    arrays, start = {}, 0
    for entry in spec["arrays"]:
        size = 1
        for n in entry["shape"]:
            size *= n
        arrays[entry["name"]] = flat[start : start + size].reshape(entry["shape"])
        start += size
    return arrays


def labels(column):
    """A column of float32 labels as the int64 class indices CrossEntropyLoss takes."""
    return column.reshape(-1).long()


def build(torch, spec, arrays):
    """The Sequential model, its Linear layers holding W1 … WL (weight | bias) from the file."""
    sigma = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[spec["activation"]]
    depth = len(spec["architecture"]) - 1
    layers = []
    for h in range(depth):
        w = arrays[f"W{h + 1}"]
        linear = torch.nn.Linear(w.shape[1] - 1, w.shape[0])
        with torch.no_grad():
            linear.weight.copy_(w[:, :-1])
            linear.bias.copy_(w[:, -1])
        layers.append(linear)
        if h < depth - 1:
            layers.append(sigma())
    return torch.nn.Sequential(*layers)


def train(torch, spec, model, loss_fn, x, y, arrays):
    """One warm-up epoch, then the timed ones in one loop; accuracies after the first and last."""
    optimizer = torch.optim.SGD(model.parameters(), lr=spec["learningRate"])
    batch, n = spec["batchSize"], x.shape[0]

    def epoch():
        for start in range(0, n, batch):
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(x[start : start + batch]), y[start : start + batch]).backward()
            optimizer.step()

    def accuracy():
        if "xTest" not in arrays:
            return None
        with torch.no_grad():
            predicted = model(arrays["xTest"]).argmax(dim=1)
        expected = labels(arrays["yTest"])
        return (predicted == expected).sum().item() / expected.numel()

    epoch()
    out = {"accuracy1": accuracy()}
    started = time.perf_counter()
    for _ in range(spec["epochs"]):
        epoch()
    out["seconds"] = time.perf_counter() - started
    if spec["epochs"] > 0:
        out["accuracyLast"] = accuracy()
    return out


def gradient(torch, spec, model, loss_fn, x, y):
    """W4: median ms of one autograd gradient (forward pass included), and the gradient."""
    params = list(model.parameters())

    def grads():
        return torch.autograd.grad(loss_fn(model(x), y), params)

    times = []
    for r in range(2 * spec["repeats"]):
        started = time.perf_counter()
        grads()
        if r >= spec["repeats"]:
            times.append((time.perf_counter() - started) * 1000)
    # twostep's layout: ∂J/∂Wh row-major with the bias gradient as the last column.
    g = grads()
    layers = [torch.cat([g[i], g[i + 1][:, None]], dim=1) for i in range(0, len(g), 2)]
    with open(spec["gradientOut"], "wb") as f:
        for layer in layers:
            f.write(array("f", layer.reshape(-1).tolist()).tobytes())
    return {"gradientMs": statistics.median(times)}


def blas(torch):
    """The BLAS library this process has loaded (what Linear's products run on), else torch's build info."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
        # With its folder: Debian's alternatives keep every BLAS as …/<which>/libblas.so.3.
        found = sorted(
            os.path.join(os.path.basename(os.path.dirname(p)), os.path.basename(p))
            for p in paths
            if re.search(r"blas|mkl|blis", os.path.basename(p), re.I)
        )
        if found:
            return ", ".join(found)
    except OSError:
        pass
    match = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return f"BLAS_INFO={match.group(1)}" if match else "unknown"


def peak_rss():
    """The most memory this process has held, in bytes (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


if __name__ == "__main__":
    main(sys.argv[1])
