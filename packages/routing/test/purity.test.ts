/** routing stays pure (DESIGN.md "Dependency direction"): no I/O, no clock of its own, no server parts. */
import { purityTests } from '../../../scripts/purity';

purityTests(new URL('../src/', import.meta.url));
