// SSD MobileNetV1 face detection with face-api's network but our own post-processing.
// face-api's locateFaces runs non-max suppression with an IoU helper that copies the whole
// 1917-anchor box tensor to nested JS arrays (arraySync) for EVERY pair it compares: a few
// hundred candidates in a crowd cost 2-3 s per pass. This does the same suppression, with the
// same rules and results, on one Float32Array read once.
import type { LoadedFaceApi } from './tf-backend';
import type { Box } from './types';

export interface SsdDetection {
  box: Box;
  score: number;
}

interface SsdNet {
  forwardInput(input: unknown): { boxes: Array<{ dataSync(): Float32Array; dispose(): void }>; scores: Array<{ dataSync(): Float32Array; dispose(): void }> };
}

interface NetInput {
  inputSize: number;
  getReshapedInputDimensions(i: number): { width: number; height: number };
  getInputWidth(i: number): number;
  getInputHeight(i: number): number;
}

/** Boxes in the input tensor's pixels, best score first. */
export async function locateFaces(api: LoadedFaceApi, input: unknown, opts: { minConfidence: number; maxResults: number }): Promise<SsdDetection[]> {
  const net = api.faceapi.nets.ssdMobilenetv1 as unknown as SsdNet;
  const netInput = (await api.faceapi.toNetInput(input as never)) as unknown as NetInput;
  const { boxes, scores } = net.forwardInput(netInput);
  try {
    const b = boxes[0]!.dataSync();
    const s = scores[0]!.dataSync();
    const kept = nonMaxSuppression(b, s, opts.maxResults, 0.5, opts.minConfidence);
    const reshaped = netInput.getReshapedInputDimensions(0);
    const padX = netInput.inputSize / reshaped.width;
    const padY = netInput.inputSize / reshaped.height;
    const width = netInput.getInputWidth(0);
    const height = netInput.getInputHeight(0);
    return kept.map((i) => {
      const top = Math.max(0, b[i * 4]!) * padY;
      const bottom = Math.min(1, b[i * 4 + 2]!) * padY;
      const left = Math.max(0, b[i * 4 + 1]!) * padX;
      const right = Math.min(1, b[i * 4 + 3]!) * padX;
      return { score: s[i]!, box: { x: left * width, y: top * height, width: (right - left) * width, height: (bottom - top) * height } };
    });
  } finally {
    for (const t of [...boxes, ...scores]) t.dispose();
  }
}

/** face-api's SSD suppression, verbatim in behaviour: candidates above minConfidence, best
 *  first; a candidate is dropped when it overlaps a kept box by more than iouThreshold. */
export function nonMaxSuppression(boxes: Float32Array, scores: Float32Array, maxResults: number, iouThreshold: number, minConfidence: number): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i += 1) if (scores[i]! > minConfidence) candidates.push(i);
  candidates.sort((a, c) => scores[c]! - scores[a]!);
  const limit = Math.min(maxResults, boxes.length / 4);
  const kept: number[] = [];
  for (const candidate of candidates) {
    if (kept.length >= limit) break;
    let suppressed = false;
    for (let k = kept.length - 1; k >= 0; k -= 1) {
      const overlap = iouAt(boxes, candidate, kept[k]!);
      if (overlap !== 0 && overlap > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(candidate);
  }
  return kept;
}

function iouAt(b: Float32Array, i: number, j: number): number {
  const [ay1, ax1, ay2, ax2] = [Math.min(b[i * 4]!, b[i * 4 + 2]!), Math.min(b[i * 4 + 1]!, b[i * 4 + 3]!), Math.max(b[i * 4]!, b[i * 4 + 2]!), Math.max(b[i * 4 + 1]!, b[i * 4 + 3]!)];
  const [by1, bx1, by2, bx2] = [Math.min(b[j * 4]!, b[j * 4 + 2]!), Math.min(b[j * 4 + 1]!, b[j * 4 + 3]!), Math.max(b[j * 4]!, b[j * 4 + 2]!), Math.max(b[j * 4 + 1]!, b[j * 4 + 3]!)];
  const areaA = (ay2 - ay1) * (ax2 - ax1);
  const areaB = (by2 - by1) * (bx2 - bx1);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0) * Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0);
  return inter / (areaA + areaB - inter);
}
