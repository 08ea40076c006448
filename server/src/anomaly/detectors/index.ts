import type { DetectorFactory } from '../detector.ts';
import { callDetector } from './call.ts';
import { environmentDetector } from './environment.ts';
import { fallDetector } from './fall.ts';
import { routineDetector } from './routine.ts';
import { technicalDetector } from './technical.ts';

/** Every detector the live server and replay run, in order. */
export const DEFAULT_DETECTORS: DetectorFactory[] = [fallDetector, callDetector, routineDetector, environmentDetector, technicalDetector];
