package leasekv.checker.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The process map behaves as a HashMap does, through growth and deletions that shift probe runs. */
class ProcessMapTest {
    @Test
    void behavesAsAHashMap() {
        Random random = new Random(1);
        ProcessMap<Long> map = new ProcessMap<>();
        Map<Long, Long> reference = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            long key = random.nextInt(500) * (random.nextBoolean() ? 64L : 1L) - 100;
            switch (random.nextInt(3)) {
                case 0:
                    map.put(key, (long) step);
                    reference.put(key, (long) step);
                    break;
                case 1:
                    assertEquals(reference.remove(key), map.remove(key), "remove " + key);
                    break;
                default:
                    assertEquals(reference.get(key), map.get(key), "get " + key);
            }
        }
        List<Long> values = new ArrayList<>(map.values());
        List<Long> expected = new ArrayList<>(reference.values());
        values.sort(null);
        expected.sort(null);
        assertEquals(expected, values);
    }
}
