import { useEffect, useState } from 'preact/hooks';
import type { WidgetContext, WidgetState } from '../shared/types';

/** Subscribe to the loader's state; re-read on subscribe so nothing that arrived in between is lost. */
export function useWidgetState(ctx: WidgetContext): WidgetState {
  const [s, setS] = useState(ctx.getState());
  useEffect(() => {
    setS(ctx.getState());
    return ctx.subscribe(() => setS(ctx.getState()));
  }, [ctx]);
  return s;
}
