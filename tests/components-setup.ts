/**
 * Component tests read their labels in English, whatever language the test browser
 * reports. The dictionaries are added synchronously when $lib/i18n loads, so setting the
 * locale is all it takes.
 */
import 'vitest-browser-svelte';
import { locale } from '$lib/i18n';

locale.set('en');
