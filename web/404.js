// The page for an unknown address: the shared top bar like every page.
import { shell } from '/shell.js';

shell();
