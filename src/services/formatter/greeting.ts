export type FormatterVersion = 'v1' | 'v2';

/** The two templates from the book chapter; `professor=true` deploys v2. */
const TEMPLATES: Record<FormatterVersion, (name: string) => string> = {
  v1: (name) => `Hello, puny human ${name}! Morbo asks: how do you like running on Kubernetes?`,
  v2: (name) => `Good news, ${name}! If anyone needs me I'll be in the Angry Dome!`,
};

export function formatGreeting(version: FormatterVersion, name: string): string {
  return TEMPLATES[version](name);
}
