import type { DetectorFactory } from '../detector.ts';
import { callDetector } from './call.ts';
import { fallDetector } from './fall.ts';

/** Every detector the live server and replay run, in order. */
export const DEFAULT_DETECTORS: DetectorFactory[] = [fallDetector, callDetector];
