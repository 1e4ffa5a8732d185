/** jsdom set-up for the page's component tests. */
import { cleanup, configure } from '@testing-library/react';

// EUI and Kibana mark elements with data-test-subj (Kibana's Jest set-up configures the same).
configure({ testIdAttribute: 'data-test-subj' });

afterEach(() => cleanup());

// EUI reads matchMedia (breakpoints, reduced motion); jsdom has none.
if (typeof window !== 'undefined' && !window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }),
  });
}

// jsdom's CSS parser does not know some modern rules EUI's Emotion styles use (e.g. container
// queries) and reports each through console.error; the styles do not matter to these tests.
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  const first = args[0];
  const text = first instanceof Error ? first.message : String(first);
  if (text.includes('Could not parse CSS stylesheet')) return;
  consoleError(...args);
};
