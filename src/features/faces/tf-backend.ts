// Chooses the TensorFlow backend for one worker thread and loads face-api's models once.
// Only worker threads import this file: the HTTP thread never loads tfjs.
import path from 'node:path';

/** The slice of face-api this engine uses; the node and node-wasm builds share one shape. */
export type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');
/** face-api's bundled typings describe only part of tf; the runtime object is tfjs itself. */
export type Tf = typeof import('@tensorflow/tfjs');

export interface LoadedFaceApi {
  faceapi: FaceApi;
  tf: Tf;
  /** 'tensorflow' (tfjs-node, native) or 'wasm'. */
  backend: string;
}

const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** Native tfjs-node when it is installed (users with internet), else the wasm backend with its
 *  binaries read from node_modules: never a CDN, because the service must work offline. */
export async function loadFaceApi(opts: { ssd?: boolean } = {}): Promise<LoadedFaceApi> {
  const faceapi = (tryNativeFaceApi() ?? (await loadWasmFaceApi())) as FaceApi;
  const tf = faceapi.tf as unknown as Tf;
  await tf.ready();
  await loadModels(faceapi, opts.ssd ?? true);
  return { faceapi, tf, backend: tf.getBackend() };
}

function tryNativeFaceApi(): unknown {
  try {
    // Probe first: when the optional dependency is missing this throws and we fall back.
    require('@tensorflow/tfjs-node');
  } catch {
    return null;
  }
  return require('@vladmandic/face-api/dist/face-api.node.js');
}

async function loadWasmFaceApi(): Promise<unknown> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  // A trailing slash matters: tfjs concatenates the prefix and the file name.
  wasm.setWasmPaths(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + path.sep);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  await (faceapi.tf as unknown as Tf).setBackend('wasm');
  return faceapi;
}

/** The SSD detector's weights are only read where SSD detects (the fallback, or FACE_DETECTOR=ssd). */
async function loadModels(faceapi: FaceApi, ssd: boolean): Promise<void> {
  const modelDir = path.join(packageDir('@vladmandic/face-api'), 'model');
  if (ssd) await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
}
