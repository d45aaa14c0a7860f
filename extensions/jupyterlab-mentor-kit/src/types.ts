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
  notebook: string | null;
}

export interface IPath {
  goal_met: boolean;
  minutes: number;
  progress: number;
  messages: string[];
  items: IPathItem[];
}

export interface ISkillMastery {
  id: string;
  title: string;
  mastery: number;
  mastered: boolean;
}

export interface IMastery {
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
  contact?: string;
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
  urgency: number;
  urgent: boolean;
}

export interface IAnswer {
  id: string | number;
  author: string;
  role: string;
  text: string;
  created: string;
}

export interface IQuestion {
  id: string | number;
  text: string;
  learner: string;
  status: 'open' | 'answered' | 'resolved';
  created: string;
  route: IRoute | null;
  skill: string | null;
  mentor: { id: string; name: string } | null;
  urgency: number;
  urgent?: boolean;
  answers: IAnswer[];
  /** The learner's mastery of the routed skill (inbox only). */
  mastery?: number | null;
}

export interface IAtRisk {
  learner: string;
  weak: string[];
  next_project: string | null;
}

export interface ICohort {
  learners: string[];
  skills: string[];
  mastery: (number | null)[][];
  at_risk: IAtRisk[];
  struggles: { skill: string; mean: number; learners: number }[];
}

export interface IGradingJob {
  id?: string;
  project?: string;
  state: 'running' | 'finished' | 'failed';
  done: number;
  total: number | null;
  message?: string | null;
}

export interface IGradingStatus {
  project: string;
  title: string;
  submitted: number;
  graded: number;
  mean_score: number | null;
  max_score: number | null;
  last_run: string | null;
  job: IGradingJob | null;
}
