import { refreshCoordinatorContract, sessionStoreContract } from '@bff/fastify-bff/testing/contract';
import { RedisModel, RedisModelCoordinator, RedisModelStore } from '../redisModel.js';

// the simulator's model of the Redis store keeps the contract the real one keeps
// on a clock of its own that the coordinator suite moves as it waits
let now = Date.now();
const clock = () => now;
sessionStoreContract('the simulated Redis store', async () => new RedisModelStore(new RedisModel(clock)));
refreshCoordinatorContract('the simulated Redis coordinator', async () => new RedisModelCoordinator(new RedisModel(clock)), {
  advance: (ms) => {
    now += ms;
  },
});
