"""Write the float32 LiteRT (TFLite) model of a MobileNet variant directly, without TensorFlow.

Why: the TensorFlow route to a ``.tflite`` file costs ``import tensorflow`` (about 2.5 s on the
2-core VM), building the Keras model, tracing and the MLIR converter (1-1.4 s at 1.0/224), so
the first prediction of a new variant took 4.7 s in a fresh process.  MobileNet v1 is a plain
chain of a handful of operators, so we write the flatbuffer ourselves from the layer list of
the cost model (``explorer.arch.layer_rows``, the same list the Keras builder follows) and the
weight arrays read from the Keras ``.h5`` file with h5py.  No TensorFlow is imported.

The graph is the one TensorFlow's converter emits for this model (tests compare it operator
by operator and output by output):

* convolution + batch norm + ReLU6 -> one ``CONV_2D`` / ``DEPTHWISE_CONV_2D`` with the batch
  norm folded into the filter and a bias (``w * g / sqrt(v + eps)``, ``b - m * g / sqrt(v +
  eps)``, computed in float32 like the converter) and a fused RELU6;
* Keras' ``ZeroPadding2D(((0, 1), (0, 1)))`` + "valid" stride-2 convolution -> the same
  convolution with SAME padding when TensorFlow's SAME padding is exactly one row/column at the
  bottom/right (even input sizes), else an explicit ``PAD`` (odd sizes, where SAME would give
  one more output row than Keras);
* global average pooling (keepdims) -> ``MEAN`` over axes 1, 2; dropout -> nothing
  (inference); the 1x1 classifier -> ``CONV_2D`` with bias; reshape -> ``RESHAPE``; softmax ->
  ``SOFTMAX``.

Weights come as ``{layer name: [arrays in Keras order]}`` (``explorer.arch.keras_weight_shapes``
gives the shapes); ``random_layer_weights`` makes Keras-style random ones for variants without a
pretrained file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explorer.arch.layers import LayerRow, keras_weight_shapes, layer_rows
from explorer.arch.spec import MobileNetSpec

#: Keras' BatchNormalization epsilon (MobileNet keeps the default).
BN_EPSILON = 1e-3
#: Buffers start on 16-byte boundaries, as the converter writes them (SIMD loads, mmap).
BUFFER_ALIGNMENT = 16
#: Written into the model's description field, so a cached file says where it came from.
DESCRIPTION = "MobileNet Explorer direct float32 writer"

LayerWeights = Mapping[str, Sequence[np.ndarray]]


class WriterError(ValueError):
    """The layer list or the weights cannot be written as a LiteRT model."""


def schema() -> Any:
    """LiteRT's generated flatbuffer schema module (ships with ``ai-edge-litert``)."""
    from ai_edge_litert import schema_py_generated

    return schema_py_generated


# --------------------------------------------------------------------------- weights


def expected_weight_shapes(spec: MobileNetSpec) -> dict[str, list[tuple[int, ...]]]:
    """Layer name -> shapes Keras stores, for every layer of ``spec`` that has weights."""
    shapes: dict[str, list[tuple[int, ...]]] = {}
    for row in layer_rows(spec):
        found = keras_weight_shapes(row)
        if found:
            shapes[row.name] = [tuple(s) for s in found]
    return shapes


def random_layer_weights(spec: MobileNetSpec, seed: int | None = None,
                         ) -> dict[str, list[np.ndarray]]:
    """Random weights drawn the way Keras initialises a fresh MobileNet.

    Kernels: Glorot uniform, limit ``sqrt(6 / (fan_in + fan_out))`` with fans counted over the
    kernel window as Keras does (a depthwise kernel ``(k, k, c, 1)`` has fan-out ``k * k``).
    Batch norm: gamma 1, beta 0, moving mean 0, moving variance 1.  Biases: 0.
    """
    rng = np.random.default_rng(seed)
    out: dict[str, list[np.ndarray]] = {}
    for row in layer_rows(spec):
        shapes = keras_weight_shapes(row)
        if not shapes:
            continue
        if row.kind == "batchnorm":
            (c,) = shapes[0]
            out[row.name] = [np.ones(c, np.float32), np.zeros(c, np.float32),
                             np.zeros(c, np.float32), np.ones(c, np.float32)]
            continue
        kh, kw, c_in, c_out = shapes[0]
        fan_in, fan_out = kh * kw * c_in, kh * kw * c_out
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        arrays = [rng.uniform(-limit, limit, size=shapes[0]).astype(np.float32)]
        arrays += [np.zeros(s, np.float32) for s in shapes[1:]]
        out[row.name] = arrays
    return out


def check_layer_weights(spec: MobileNetSpec, weights: LayerWeights) -> None:
    """Raise WriterError unless every layer with weights has arrays of Keras' shapes."""
    for name, shapes in expected_weight_shapes(spec).items():
        arrays = weights.get(name)
        if arrays is None:
            raise WriterError(f"no weights for layer {name!r}")
        got = [tuple(np.shape(a)) for a in arrays]
        if got != shapes:
            raise WriterError(f"layer {name!r}: arrays of shapes {got}, expected {shapes}")


def fold_batchnorm(kernel_out_last: np.ndarray, bn: Sequence[np.ndarray],
                   bias: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fold (gamma, beta, mean, variance) into a kernel whose last axis is the output channel.

    float32 throughout, in the converter's order: ``scale = gamma / sqrt(variance + eps)``,
    kernel * scale, ``beta - mean * scale`` (+ bias * scale when the conv had one).
    """
    gamma, beta, mean, variance = (np.asarray(a, np.float32) for a in bn)
    scale = gamma / np.sqrt(variance + np.float32(BN_EPSILON))
    folded = np.asarray(kernel_out_last, np.float32) * scale
    shift = beta - mean * scale
    if bias is not None:
        shift = shift + np.asarray(bias, np.float32) * scale
    return folded.astype(np.float32), shift.astype(np.float32)


# --------------------------------------------------------------------------- graph


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int, int]:
    """TensorFlow SAME padding: (output size, pad before, pad after)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2, total - total // 2


class _Graph:
    """Collects tensors, buffers and operators of one subgraph, then packs the model."""

    def __init__(self) -> None:
        self.s = schema()
        self.tensors: list[Any] = []
        self.buffers: list[bytes] = [b""]  # buffer 0: the empty sentinel every model has
        self.operators: list[Any] = []
        self.opcodes: list[int] = []

    def tensor(self, name: str, shape: Sequence[int], data: np.ndarray | None = None) -> int:
        t = self.s.TensorT()
        t.name = name
        t.shape = np.asarray(shape, np.int32)
        t.hasRank = True
        if data is None:
            t.type = self.s.TensorType.FLOAT32
            t.buffer = 0
        else:
            if data.dtype == np.float32:
                t.type = self.s.TensorType.FLOAT32
            elif data.dtype == np.int32:
                t.type = self.s.TensorType.INT32
            else:
                raise WriterError(f"unsupported constant dtype {data.dtype} for {name}")
            if tuple(data.shape) != tuple(shape):
                raise WriterError(f"{name}: data shape {data.shape} != tensor shape {shape}")
            t.buffer = len(self.buffers)
            self.buffers.append(np.ascontiguousarray(data).astype("<" + data.dtype.str[1:])
                                .tobytes())
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code: int, inputs: Sequence[int], outputs: Sequence[int],
           options_type: int = 0, options: Any = None) -> None:
        if code not in self.opcodes:
            self.opcodes.append(code)
        o = self.s.OperatorT()
        o.opcodeIndex = self.opcodes.index(code)
        o.inputs = np.asarray(inputs, np.int32)
        o.outputs = np.asarray(outputs, np.int32)
        o.builtinOptionsType = options_type
        o.builtinOptions = options
        self.operators.append(o)

    def finish(self, inputs: Sequence[int], outputs: Sequence[int]) -> bytes:
        import flatbuffers

        s = self.s
        model = s.ModelT()
        model.version = 3
        model.description = DESCRIPTION
        codes = []
        for code in self.opcodes:
            oc = s.OperatorCodeT()
            oc.builtinCode = code
            oc.deprecatedBuiltinCode = min(code, 127)
            oc.version = 1
            codes.append(oc)
        model.operatorCodes = codes
        graph = s.SubGraphT()
        graph.name = "main"
        graph.tensors = self.tensors
        graph.inputs = np.asarray(inputs, np.int32)
        graph.outputs = np.asarray(outputs, np.int32)
        graph.operators = self.operators
        model.subgraphs = [graph]
        model.buffers = [_AlignedBuffer(data) for data in self.buffers]
        size_hint = sum(len(b) + BUFFER_ALIGNMENT for b in self.buffers) + 65536
        builder = flatbuffers.Builder(size_hint)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


class _AlignedBuffer:
    """A ``BufferT`` whose bytes start on a BUFFER_ALIGNMENT boundary (the generated Pack
    aligns a uint8 vector to 1 byte only)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def Pack(self, builder: Any) -> int:  # noqa: N802 - the flatbuffers object-API name
        s = schema()
        vector = None
        if self.data:
            builder.StartVector(1, len(self.data), BUFFER_ALIGNMENT)
            builder.head = builder.head - len(self.data)
            builder.Bytes[builder.head: builder.head + len(self.data)] = self.data
            vector = builder.EndVector()
        s.BufferStart(builder)
        if vector is not None:
            s.BufferAddData(builder, vector)
        return int(s.BufferEnd(builder))


def _conv_options(g: _Graph, row: LayerRow, padding: int, relu6: bool) -> tuple[int, Any]:
    s = g.s
    act = s.ActivationFunctionType.RELU6 if relu6 else s.ActivationFunctionType.NONE
    assert row.stride is not None
    if row.kind == "depthwise":
        o = s.DepthwiseConv2DOptionsT()
        o.depthMultiplier = 1
        kind = s.BuiltinOptions.DepthwiseConv2DOptions
    else:
        o = s.Conv2DOptionsT()
        kind = s.BuiltinOptions.Conv2DOptions
    o.padding = padding
    o.strideW = o.strideH = row.stride
    o.dilationWFactor = o.dilationHFactor = 1
    o.fusedActivationFunction = act
    return kind, o


def build_litert_model(spec: MobileNetSpec, weights: LayerWeights) -> bytes:
    """The float32 ``.tflite`` flatbuffer of ``spec`` with ``weights`` (batch 1).

    Raises:
        WriterError: missing or misshapen weights, or a layer sequence this writer does not
            know (every MobileNet body of the cost model is supported).
    """
    check_layer_weights(spec, weights)
    g = _Graph()
    s = g.s
    ops = s.BuiltinOperator
    rows = layer_rows(spec)
    current = g.tensor("image", (1, *rows[0].output_shape))
    graph_input = current
    pending_pad: LayerRow | None = None
    i = 1
    while i < len(rows):
        row = rows[i]
        if row.kind == "pad":
            pending_pad = row
            i += 1
            continue
        if row.kind in ("conv", "pointwise", "depthwise", "classifier"):
            bn = rows[i + 1] if i + 1 < len(rows) and rows[i + 1].kind == "batchnorm" else None
            relu = (bn is not None and i + 2 < len(rows) and rows[i + 2].kind == "relu")
            kernel = np.asarray(weights[row.name][0], np.float32)
            bias = (np.asarray(weights[row.name][1], np.float32) if row.kind == "classifier"
                    else None)
            if row.kind == "depthwise":
                # Keras (k, k, c, 1) -> out-channel-last (k, k, c) for folding.
                kernel = kernel.reshape(kernel.shape[0], kernel.shape[1], -1)
            if bn is not None:
                kernel, bias = fold_batchnorm(kernel, weights[bn.name], bias)
            if bias is None:
                bias = np.zeros(row.output_shape[-1], np.float32)
            if row.kind == "depthwise":
                filt = kernel.reshape(1, *kernel.shape)  # (1, k, k, c)
            else:
                filt = np.transpose(kernel, (3, 0, 1, 2))  # (out, k, k, in)
            padding = s.Padding.SAME if row.padding == "same" else s.Padding.VALID
            if pending_pad is not None:
                assert row.kernel is not None and row.stride is not None
                h, w = pending_pad.input_shape[:2]
                same_h = _same_padding(h, row.kernel, row.stride)
                same_w = _same_padding(w, row.kernel, row.stride)
                wanted = row.output_shape[:2]
                if (same_h[1:], same_w[1:]) == ((0, 1), (0, 1)) and \
                        (same_h[0], same_w[0]) == tuple(wanted):
                    padding = s.Padding.SAME  # identical to pad-then-valid
                else:
                    paddings = g.tensor(f"{pending_pad.name}/paddings", (4, 2), np.array(
                        [[0, 0], [0, 1], [0, 1], [0, 0]], np.int32))
                    padded = g.tensor(pending_pad.name, (1, *pending_pad.output_shape))
                    g.op(ops.PAD, [current, paddings], [padded],
                         s.BuiltinOptions.PadOptions, s.PadOptionsT())
                    current = padded
                pending_pad = None
            last = rows[i + 2] if relu else (bn if bn is not None else row)
            w_t = g.tensor(f"{row.name}/filter", filt.shape, np.ascontiguousarray(filt))
            b_t = g.tensor(f"{row.name}/bias", bias.shape, bias)
            out = g.tensor(last.name, (1, *row.output_shape))
            code = ops.DEPTHWISE_CONV_2D if row.kind == "depthwise" else ops.CONV_2D
            g.op(code, [current, w_t, b_t], [out], *_conv_options(g, row, padding, relu))
            current = out
            i += 1 + (bn is not None) + relu
            continue
        if pending_pad is not None:
            raise WriterError(f"padding {pending_pad.name} is not followed by a convolution")
        if row.kind == "pool":
            axes = g.tensor(f"{row.name}/axes", (2,), np.array([1, 2], np.int32))
            out = g.tensor(row.name, (1, *row.output_shape))
            options = s.ReducerOptionsT()
            options.keepDims = True
            g.op(ops.MEAN, [current, axes], [out], s.BuiltinOptions.ReducerOptions, options)
            current = out
        elif row.kind == "dropout":
            pass  # identity at inference
        elif row.kind == "reshape":
            new_shape = np.array([1, *row.output_shape], np.int32)
            shape_t = g.tensor(f"{row.name}/shape", new_shape.shape, new_shape)
            out = g.tensor(row.name, (1, *row.output_shape))
            options = s.ReshapeOptionsT()
            options.newShape = new_shape
            g.op(ops.RESHAPE, [current, shape_t], [out], s.BuiltinOptions.ReshapeOptions,
                 options)
            current = out
        elif row.kind == "softmax":
            out = g.tensor(row.name, (1, *row.output_shape))
            options = s.SoftmaxOptionsT()
            options.beta = 1.0
            g.op(ops.SOFTMAX, [current], [out], s.BuiltinOptions.SoftmaxOptions, options)
            current = out
        else:
            raise WriterError(f"cannot write layer {row.name!r} of kind {row.kind!r}")
        i += 1
    return g.finish([graph_input], [current])


__all__ = [
    "BN_EPSILON",
    "WriterError",
    "build_litert_model",
    "check_layer_weights",
    "expected_weight_shapes",
    "fold_batchnorm",
    "random_layer_weights",
]
