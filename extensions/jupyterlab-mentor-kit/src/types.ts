/**
 * The shapes of the Mentor Kit REST API (/kit/api/v1), as its OpenAPI
 * document (kit/server/openapi.json) describes them.
 */

export type Role = 'learner' | 'mentor' | 'instructor';

export interface IMe {
  name: string;
  role: Role;
  mentor_id: string | null;
  courses: string[];
}

export interface ICourseSummary {
  id: string;
  title: string;
  summary: string;
  skills: number;
  lessons: number;
  projects: number;
}

export interface IPathItem {
  kind: string;
  id: string;
  title: string;
  minutes: number;
  skills: string[];
  reason: string;
  week: number;
  /** The item's folder or file in the course. */
  path: string;
  /** The notebook to open, relative to the server's root; null when outside it. */
  notebook: string | null;
}

export interface IPath {
  goals: string[];
  goal_met: boolean;
  threshold: number;
  minutes: number;
  progress: number;
  messages: string[];
  items: IPathItem[];
}

export interface ISkillMastery {
  id: string;
  title: string;
  /** null: never attempted. */
  mastery: number | null;
  mastered: boolean;
  attempts: number;
}

export interface IMastery {
  learner: string;
  threshold: number;
  skills: ISkillMastery[];
}

export interface IRouteLesson {
  id: string;
  title: string;
  notebook: string | null;
}

export interface IRouteMentor {
  id: string;
  name: string;
  contact?: string | null;
  skills?: string[];
}

export interface IRoute {
  question: string;
  sure: boolean;
  reason: string;
  skill: string | null;
  skills: { id: string; title: string; probability: number }[];
  lessons: IRouteLesson[];
  mentors: IRouteMentor[];
  off_topic?: number;
  /** null: no urgency model trained. */
  urgency: number | null;
  urgent: boolean | null;
}

export interface IAnswer {
  id: number;
  author: string;
  role: string;
  text: string;
  created: string;
}

export interface IQuestion {
  id: number;
  course?: string;
  text: string;
  learner: string;
  status: 'open' | 'answered' | 'resolved';
  created: string;
  updated?: string;
  route: IRoute | null;
  /** Why a question has no route (no router trained), when it has none. */
  unrouted?: string;
  skill: string | null;
  mentor: { id: string; name: string; user?: string } | null;
  urgency: number | null;
  urgent: boolean | null;
  answers: IAnswer[];
  /** The learner's mastery of the routed skill (inbox only). */
  mastery?: number | null;
  /** Open and unanswered past the course's deadline. */
  escalated?: boolean;
  /** The earlier question whose answer resolved this one. */
  resolved_by?: number | null;
  /** A link to the asker's server, shared with the mentor. */
  server_share?: string | null;
}

/** An answered question like a new one (never the asker's name). */
export interface ISimilarQuestion {
  id: number;
  text: string;
  skill: string | null;
  status: 'answered' | 'resolved';
  score: number;
  answers: { text: string; role: string; created: string }[];
}

export interface ISimilar {
  method: 'encoder' | 'tfidf';
  similar: ISimilarQuestion[];
}

export interface INotification {
  id: string;
  kind: 'answer' | 'assigned' | 'escalated';
  question: number;
  text: string;
  created: string;
}

export interface IAtRisk {
  learner: string;
  weak: { skill: string; mastery: number | null }[];
  next_project: string;
}

export interface IStruggle {
  skill: string;
  title: string;
  /** Share of the learners who tried it that are below the threshold. */
  share: number;
  /** Mean mastery of the learners who tried it. */
  mean: number;
  learners: number;
}

export interface ICohort {
  threshold: number;
  learners: string[];
  skills: { id: string; title: string }[];
  /** mastery[i][j]: learner i, skill j (null: never attempted). */
  mastery: (number | null)[][];
  at_risk: IAtRisk[];
  struggles: IStruggle[];
}

export interface IGradingJob {
  id: number;
  project: string;
  state: 'running' | 'finished' | 'failed';
  done: number;
  total: number | null;
  message: string;
  started: string;
  finished: string | null;
}

export interface IGradingStatus {
  project: string;
  title: string;
  submitted: number;
  graded: number;
  mean_score: number | null;
  max_score: number;
  last_run: string | null;
  job: IGradingJob | null;
}

export interface IProfile {
  learner?: string;
  track: string | null;
  goals: string[];
  ratings: Record<string, number>;
  placement: Record<string, number>;
  hours_per_week: number;
}

export interface ITrack {
  id: string;
  title: string;
  audience: string;
  goals: string[];
}

export interface ICourse {
  id: string;
  title: string;
  summary: string;
  folder: string | null;
  skills: { id: string; title: string; prerequisites: string[] }[];
  tracks: ITrack[];
  mentors: { id: string; name: string; skills: string[] }[];
}
