// The models `mc` ships. Each lives in its own folder; add new ones here.
import type { Model } from '../explorer/model.js';
import ring from './ring/model.js';
import mpu from './mpu/model.js';
import revoke from './revoke/model.js';
import nohz from './nohz/nohz.js';
import nohzTso from './nohz/nohz-tso.js';
import lapic from './nohz/lapic.js';
import lease from './nohz/lease.js';
import irq from './irq/model.js';
import dma from './dma/model.js';
import dmaDcq from './dma/dma-dcq.js';
import dmaShootdown from './dma/dma-shootdown.js';

export const builtinModels: readonly Model[] = [ring, mpu, revoke, nohz, nohzTso, lapic, lease, irq, dma, dmaDcq, dmaShootdown];
