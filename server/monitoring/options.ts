/** Monitoring settings from the environment (kept here until ServerConfig carries them). */
import { logPromptsEnabled } from './logger';

type Env = Record<string, string | undefined>;

export interface MonitoringOptions {
  /** Bearer token a Prometheus scraper presents when sign-in is on (HEARTH_METRICS_TOKEN). */
  metricsToken?: string;
  /** Copy prompt and message text into request logs (HEARTH_LOG_PROMPTS=1). Off by default. */
  logPrompts?: boolean;
}

export function monitoringOptionsFromEnv(env: Env = process.env): MonitoringOptions {
  const token = env.HEARTH_METRICS_TOKEN?.trim();
  return { metricsToken: token || undefined, logPrompts: logPromptsEnabled(env) };
}
