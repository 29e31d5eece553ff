// face-api's 68-point landmark net and 128-d recognition net, rebuilt as ONNX graphs from the very
// weights face-api loads, so onnxruntime-node (native, multi-threaded) runs them instead of the
// single-threaded wasm backend. Same layers, same order, same weights: the outputs agree with
// face-api's to float rounding (tests/faces/face-api-onnx.test.ts), so references enrolled
// either way stay comparable. No new model file: the graph is built in memory at start-up.
//
// Layout: tfjs works in NHWC with filters [kh, kw, in, out]; ONNX in NCHW with [out, in, kh, kw].
// TensorFlow's 'same' padding is asymmetric for even inputs (the extra pixel goes after), so
// every convolution gets explicit pads computed from the static input size.
import type { onnx as OnnxNamespace } from 'onnx-proto';

/** What this file needs of a tfjs tensor: its shape and its values. */
export interface WeightTensor {
  shape: number[];
  dataSync(): ArrayLike<number>;
}

interface ConvParams { filters: WeightTensor; bias: WeightTensor }
interface ScaleParams { weights: WeightTensor; biases: WeightTensor }
interface ScaledConv { conv: ConvParams; scale: ScaleParams }
interface ResidualParams { conv1: ScaledConv; conv2: ScaledConv }
interface SeparableConvParams { depthwise_filter: WeightTensor; pointwise_filter: WeightTensor; bias: WeightTensor }
interface DenseBlockParams { conv0: ConvParams | SeparableConvParams; conv1: SeparableConvParams; conv2: SeparableConvParams; conv3: SeparableConvParams }

/** faceapi.nets.faceRecognitionNet.params */
export interface RecognitionParams {
  conv32_down: ScaledConv;
  conv32_1: ResidualParams; conv32_2: ResidualParams; conv32_3: ResidualParams;
  conv64_down: ResidualParams; conv64_1: ResidualParams; conv64_2: ResidualParams; conv64_3: ResidualParams;
  conv128_down: ResidualParams; conv128_1: ResidualParams; conv128_2: ResidualParams;
  conv256_down: ResidualParams; conv256_1: ResidualParams; conv256_2: ResidualParams;
  conv256_down_out: ResidualParams;
  fc: WeightTensor;
}

/** faceapi.nets.faceLandmark68Net: its feature extractor's params and its own fully connected layer. */
export interface LandmarkParams {
  extractor: { dense0: DenseBlockParams; dense1: DenseBlockParams; dense2: DenseBlockParams; dense3: DenseBlockParams };
  fc: { weights: WeightTensor; bias: WeightTensor };
}

/** Both nets take a square RGB crop, mean-subtracted and divided by 255 (face-api's normalize). */
export const RECOGNITION_INPUT = 150;
export const LANDMARK_INPUT = 112;
export const MEAN_RGB = [122.782, 117.001, 104.298] as const;

type Padding = 'same' | 'valid';

/** A value in the graph: its name, channels and (square) spatial side. */
interface Value { name: string; channels: number; side: number }

/** Just enough of an ONNX graph builder for these two nets. */
class Graph {
  readonly nodes: OnnxNamespace.INodeProto[] = [];
  readonly initializers: OnnxNamespace.ITensorProto[] = [];
  private count = 0;

  constructor(private readonly onnx: typeof OnnxNamespace) {}

  private fresh(prefix: string): string {
    this.count += 1;
    return `${prefix}_${this.count}`;
  }

  constant(prefix: string, dims: number[], values: Float32Array): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims, dataType: this.onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    return name;
  }

  private int64s(prefix: string, values: number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims: [values.length], dataType: this.onnx.TensorProto.DataType.INT64, int64Data: values });
    return name;
  }

  private node(opType: string, inputs: string[], attrs: Record<string, number | number[]> = {}): string {
    const output = this.fresh(opType.toLowerCase());
    const attribute = Object.entries(attrs).map(([name, v]) => (Array.isArray(v)
      ? { name, type: this.onnx.AttributeProto.AttributeType.INTS, ints: v }
      : { name, type: this.onnx.AttributeProto.AttributeType.INT, i: v }));
    this.nodes.push({ opType, input: inputs, output: [output], attribute });
    return output;
  }

  /** Convolution with TensorFlow's padding rule; weights already in ONNX layout; no bias when null. */
  conv(x: Value, weights: { name: string; out: number; k: number }, bias: string | null, stride: number, padding: Padding, group = 1): Value {
    const { side, pads } = tfPadding(x.side, weights.k, stride, padding);
    const inputs = bias ? [x.name, weights.name, bias] : [x.name, weights.name];
    const name = this.node('Conv', inputs, { kernel_shape: [weights.k, weights.k], strides: [stride, stride], pads, group });
    return { name, channels: weights.out, side };
  }

  relu(x: Value): Value {
    return { ...x, name: this.node('Relu', [x.name]) };
  }

  add(a: Value, b: Value): Value {
    return { ...a, name: this.node('Add', [a.name, b.name]) };
  }

  pool(op: 'MaxPool' | 'AveragePool', x: Value, k: number, stride: number): Value {
    const { side, pads } = tfPadding(x.side, k, stride, 'valid');
    return { name: this.node(op, [x.name], { kernel_shape: [k, k], strides: [stride, stride], pads }), channels: x.channels, side };
  }

  /** Zeros appended after the existing values: `channels` more channels, `pixels` more rows and columns. */
  padAfter(x: Value, channels: number, pixels: number): Value {
    const pads = this.int64s('pads', [0, 0, 0, 0, 0, channels, pixels, pixels]);
    return { name: this.node('Pad', [x.name, pads]), channels: x.channels + channels, side: x.side + pixels };
  }

  /** [n, c, 1, 1] or [n, c, h, w] -> [n, c] by the spatial mean. */
  globalMean(x: Value): Value {
    const pooled = this.node('GlobalAveragePool', [x.name]);
    return { name: this.node('Flatten', [pooled], { axis: 1 }), channels: x.channels, side: 1 };
  }

  flatten(x: Value): Value {
    return { name: this.node('Flatten', [x.name], { axis: 1 }), channels: x.channels * x.side * x.side, side: 1 };
  }

  /** [n, in] x [in, out] (+ bias) */
  dense(x: Value, weights: string, out: number, bias?: string): Value {
    const product = this.node('MatMul', [x.name, weights]);
    return { name: bias ? this.node('Add', [product, bias]) : product, channels: out, side: 1 };
  }

  encode(input: Value, output: Value, outputWidth: number): Uint8Array {
    const { onnx } = this;
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const tensorType = (dims: Array<string | number>) => ({
      tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'sharesafe',
      graph: {
        name: 'face-api',
        node: this.nodes,
        initializer: this.initializers,
        input: [{ name: input.name, type: tensorType(['n', input.channels, input.side, input.side]) }],
        output: [{ name: output.name, type: tensorType(['n', outputWidth]) }],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Output side and ONNX pads [top, left, bottom, right] for TensorFlow's 'same' or 'valid'. */
export function tfPadding(inSide: number, k: number, stride: number, padding: Padding): { side: number; pads: number[] } {
  if (padding === 'valid') return { side: Math.floor((inSide - k) / stride) + 1, pads: [0, 0, 0, 0] };
  const side = Math.ceil(inSide / stride);
  const total = Math.max((side - 1) * stride + k - inSide, 0);
  const before = Math.floor(total / 2);
  return { side, pads: [before, before, total - before, total - before] };
}

/** tfjs [kh, kw, in, out] -> ONNX [out, in, kh, kw], each output channel times `scale`. */
function convWeights(g: Graph, filters: WeightTensor, scale?: Float32Array): { name: string; out: number; k: number } {
  const [kh, kw, cin, cout] = filters.shape as [number, number, number, number];
  const src = filters.dataSync();
  const dst = new Float32Array(src.length);
  for (let y = 0; y < kh; y += 1) for (let x = 0; x < kw; x += 1) for (let i = 0; i < cin; i += 1) for (let o = 0; o < cout; o += 1) {
    dst[((o * cin + i) * kh + y) * kw + x] = src[((y * kw + x) * cin + i) * cout + o]! * (scale ? scale[o]! : 1);
  }
  return { name: g.constant('w', [cout, cin, kh, kw], dst), out: cout, k: kh };
}

/** tfjs depthwise [kh, kw, c, 1] -> ONNX grouped [c, 1, kh, kw]. */
function depthwiseWeights(g: Graph, filters: WeightTensor): { name: string; out: number; k: number } {
  const [kh, kw, c] = filters.shape as [number, number, number, number];
  const src = filters.dataSync();
  const dst = new Float32Array(src.length);
  for (let y = 0; y < kh; y += 1) for (let x = 0; x < kw; x += 1) for (let i = 0; i < c; i += 1) dst[(i * kh + y) * kw + x] = src[(y * kw + x) * c + i]!;
  return { name: g.constant('dw', [c, 1, kh, kw], dst), out: c, k: kh };
}

const values = (t: WeightTensor) => Float32Array.from(t.dataSync());

// ---- recognition net (FaceRecognitionNet.ts, convLayer.ts, residualLayer.ts) --------------------

/** conv + bias, then face-api's scale layer (x * w + b), folded into the convolution. */
function scaledConv(g: Graph, x: Value, p: ScaledConv, stride: number, padding: Padding, relu: boolean): Value {
  const s = values(p.scale.weights);
  const shift = values(p.scale.biases);
  const b = values(p.conv.bias).map((v, o) => v * s[o]! + shift[o]!);
  const out = g.conv(x, convWeights(g, p.conv.filters, s), g.constant('b', [b.length], b), stride, padding);
  return relu ? g.relu(out) : out;
}

function residual(g: Graph, x: Value, p: ResidualParams): Value {
  const out = scaledConv(g, scaledConv(g, x, p.conv1, 1, 'same', true), p.conv2, 1, 'same', false);
  return g.relu(g.add(out, x));
}

/** The shortcut is a 2x2 average pool, widened with zero channels; when the strided branch comes
 *  out one pixel smaller, face-api appends a zero row and column to it. */
function residualDown(g: Graph, x: Value, p: ResidualParams): Value {
  let out = scaledConv(g, scaledConv(g, x, p.conv1, 2, 'valid', true), p.conv2, 1, 'same', false);
  let pooled = g.pool('AveragePool', x, 2, 2);
  if (pooled.side !== out.side) out = g.padAfter(out, 0, pooled.side - out.side);
  if (pooled.channels !== out.channels) pooled = g.padAfter(pooled, out.channels - pooled.channels, 0);
  return g.relu(g.add(pooled, out));
}

export function recognitionOnnx(onnx: typeof OnnxNamespace, p: RecognitionParams): Uint8Array {
  const g = new Graph(onnx);
  const input: Value = { name: 'input', channels: 3, side: RECOGNITION_INPUT };
  let out = scaledConv(g, input, p.conv32_down, 2, 'valid', true);
  out = g.pool('MaxPool', out, 3, 2);
  for (const layer of [p.conv32_1, p.conv32_2, p.conv32_3]) out = residual(g, out, layer);
  out = residualDown(g, out, p.conv64_down);
  for (const layer of [p.conv64_1, p.conv64_2, p.conv64_3]) out = residual(g, out, layer);
  out = residualDown(g, out, p.conv128_down);
  for (const layer of [p.conv128_1, p.conv128_2]) out = residual(g, out, layer);
  out = residualDown(g, out, p.conv256_down);
  for (const layer of [p.conv256_1, p.conv256_2]) out = residual(g, out, layer);
  out = residualDown(g, out, p.conv256_down_out);
  const [fcIn, fcOut] = p.fc.shape as [number, number];
  const descriptor = g.dense(g.globalMean(out), g.constant('fc', [fcIn, fcOut], values(p.fc)), fcOut);
  return g.encode(input, descriptor, fcOut);
}

// ---- landmark net (FaceFeatureExtractor.ts, denseBlock.ts, FaceProcessor.ts) ---------------------

/** tfjs separableConv2d + bias: depthwise (strided) then pointwise. */
function separable(g: Graph, x: Value, p: SeparableConvParams, stride: number): Value {
  const depthwise = g.conv(x, depthwiseWeights(g, p.depthwise_filter), null, stride, 'same', x.channels);
  return g.conv(depthwise, convWeights(g, p.pointwise_filter), g.constant('b', [p.bias.shape[0]!], values(p.bias)), 1, 'same');
}

function denseBlock(g: Graph, x: Value, p: DenseBlockParams, first: boolean): Value {
  const out1 = g.relu(first
    ? g.conv(x, convWeights(g, (p.conv0 as ConvParams).filters), g.constant('b', [(p.conv0 as ConvParams).bias.shape[0]!], values((p.conv0 as ConvParams).bias)), 2, 'same')
    : separable(g, x, p.conv0 as SeparableConvParams, 2));
  const out2 = separable(g, out1, p.conv1, 1);
  const out3 = separable(g, g.relu(g.add(out1, out2)), p.conv2, 1);
  const sum3 = g.add(out1, g.add(out2, out3));
  const out4 = separable(g, g.relu(sum3), p.conv3, 1);
  return g.relu(g.add(out1, g.add(out2, g.add(out3, out4))));
}

export function landmarkOnnx(onnx: typeof OnnxNamespace, p: LandmarkParams): Uint8Array {
  const g = new Graph(onnx);
  const input: Value = { name: 'input', channels: 3, side: LANDMARK_INPUT };
  let out = denseBlock(g, input, p.extractor.dense0, true);
  out = denseBlock(g, out, p.extractor.dense1, false);
  out = denseBlock(g, out, p.extractor.dense2, false);
  out = denseBlock(g, out, p.extractor.dense3, false);
  out = g.pool('AveragePool', out, 7, 2);
  const [fcIn, fcOut] = p.fc.weights.shape as [number, number];
  const points = g.dense(g.flatten(out), g.constant('fc', [fcIn, fcOut], values(p.fc.weights)), fcOut, g.constant('fcb', [fcOut], values(p.fc.bias)));
  return g.encode(input, points, fcOut);
}
