// The starter library's socio-emotional activities in the pupils' steps (role cards and rule
// starters in the agreement, feedback starters in peer feedback): loaded once per language
// from the app, which ships them.
import type { Library } from '../api/bindings';
import { api } from '../api/client.svelte';

const loaded = $state<Record<string, Library>>({});
const asked = new Set<string>();

/** The library in `language`, once it has arrived (null until then, or if it cannot). */
export function starterLibrary(language: string): Library | null {
  if (!asked.has(language)) {
    asked.add(language);
    api
      .starterLibrary(language)
      .then((library) => (loaded[language] = library))
      .catch(() => asked.delete(language));
  }
  return loaded[language] ?? null;
}
