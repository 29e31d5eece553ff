// Two shapes of a video check, as for photos (checks.presenter.ts): the stored record keeps each
// track's detailed verdict for the office's counts; what leaves the server for the parent is the
// photos' own allow-list (presentFace, summarise): per face only "your child" (with a first
// name), "visible" or "blurred".
import type { JobRecord } from '../../platform/jobs';
import { presentFace, summarise, type FaceOutcome, type FaceReport, type ParentFace } from '../checks/checks.presenter';
import type { CheckMode, Verdict } from '../checks/verdict';

export interface StoredVideo {
  id: string;
  ownerId: number;
  eventId: number | null;
  mode: CheckMode;
  width: number;
  height: number;
  durationSeconds: number;
  frames: number;
  /** One per track: its clearest box, best score and the decision. */
  faces: FaceReport[];
  counts: Record<Verdict, number>;
  createdAt: string;
  expiresAt: string;
  /** Server-side only: pupils left visible (deleted at once when one loses consent). */
  visiblePupilIds: number[];
}

export interface ParentVideo {
  id: string;
  state: JobRecord['state'];
  /** Whole percent, 0..100. */
  percent: number;
  /** Time left in seconds while running, when it can be told. */
  secondsLeft: number | null;
  createdAt: string;
  expiresAt: string | null;
  error?: { code: string; message: string };
  result?: {
    width: number;
    height: number;
    durationSeconds: number;
    mode: CheckMode;
    faces: ParentFace[];
    counts: Record<FaceOutcome, number>;
    summary: string;
    downloadUrl: string;
  };
  statusUrl: string;
}

const MESSAGES: Record<string, string> = {
  engine_failed: 'The face checker failed, so no copy was made. Please try again later.',
  deadline_passed: 'The check took too long and was stopped. No copy was made. Try a shorter clip.',
  interrupted: 'The service restarted before this check finished. No copy was made. Please upload the clip again.',
  cancelled: 'This check was cancelled.',
  corrupt_video: 'This video could not be read to the end; it may be damaged. No copy was made.',
  video_failed: 'This video could not be read to the end; it may be damaged. No copy was made.',
  disk_full: 'The school’s server ran out of space, so no copy was made. Please try again later.',
};

export function presentVideo(job: JobRecord, stored: StoredVideo | null): ParentVideo {
  // A finished copy that is gone (expired, or deleted because a child in it lost consent) is,
  // for the parent, simply deleted: never why.
  const state = job.state === 'done' && !stored ? 'expired' : job.state;
  const out: ParentVideo = {
    id: job.id,
    state,
    percent: Math.floor(job.progress * 100),
    secondsLeft: job.state === 'running' ? job.etaSeconds : null,
    createdAt: job.createdAt,
    expiresAt: job.expiresAt,
    statusUrl: `/api/videos/${job.id}`,
  };
  if (state === 'failed') {
    const code = job.errorCode ?? 'internal';
    out.error = { code, message: MESSAGES[code] ?? 'Something went wrong on our side, so no copy was made. Please try again.' };
  }
  if (state === 'done' && stored) {
    // A video's weak regions cannot be put back (no crops are kept of a clip's frames).
    const faces = stored.faces.map((f) => ({ ...presentFace(f, stored.mode), mayReveal: false }));
    const counts: Record<FaceOutcome, number> = { own_child: 0, visible: 0, blurred: 0 };
    for (const f of faces) counts[f.outcome] += 1;
    out.result = {
      width: stored.width, height: stored.height, durationSeconds: Math.round(stored.durationSeconds * 10) / 10, mode: stored.mode,
      faces, counts, summary: summarise(faces).replace('Check the photo yourself', 'Check the video yourself'),
      downloadUrl: `/api/videos/${job.id}/file`,
    };
  }
  return out;
}
