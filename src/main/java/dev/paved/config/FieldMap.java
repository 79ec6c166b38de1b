package dev.paved.config;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The fields of a JSON object ({@link CompactNodeFactory}): a map in insertion order, like the
 * {@link LinkedHashMap} Jackson uses, held as one array of keys and values while it is small.
 * An evaluation keeps over a million objects of one to three fields, where a LinkedHashMap
 * spends about 200 bytes (a node of 40 bytes per entry, a table, the map) and this about 80;
 * the garbage collector copies every one of them. Lookups are linear scans while there are at
 * most {@value #SMALL} fields; a larger map moves its fields into a LinkedHashMap for good.
 */
final class FieldMap<K, V> extends AbstractMap<K, V> {

  static final int SMALL = 8;

  /** Keys at even indices, their values after them; null once {@link #large} is used. */
  private Object[] slots;
  private int size;
  private LinkedHashMap<K, V> large;
  /** Structural changes, for fail-fast iteration as in the JDK's maps. */
  private int modCount;

  FieldMap() {
    this(3); // what most objects hold
  }

  /** A map with room for {@code expected} fields before it grows. */
  FieldMap(int expected) {
    slots = new Object[Math.max(1, Math.min(expected, SMALL)) * 2];
  }

  private int indexOf(Object key) {
    Object[] s = slots;
    for (int i = 0, n = size * 2; i < n; i += 2) {
      if (Objects.equals(s[i], key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return large != null ? large.size() : size;
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public boolean containsKey(Object key) {
    return large != null ? large.containsKey(key) : indexOf(key) >= 0;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    if (large != null) {
      return large.get(key);
    }
    int i = indexOf(key);
    return i < 0 ? null : (V) slots[i + 1];
  }

  @Override
  @SuppressWarnings("unchecked")
  public V put(K key, V value) {
    if (large != null) {
      return large.put(key, value);
    }
    int i = indexOf(key);
    if (i >= 0) {
      V old = (V) slots[i + 1];
      slots[i + 1] = value;
      return old;
    }
    if (size == SMALL) {
      large = new LinkedHashMap<>();
      for (int j = 0; j < size * 2; j += 2) {
        large.put((K) slots[j], (V) slots[j + 1]);
      }
      slots = null;
      size = 0;
      modCount++;
      return large.put(key, value);
    }
    if (size * 2 == slots.length) {
      slots = Arrays.copyOf(slots, Math.min(slots.length * 2, SMALL * 2));
    }
    slots[size * 2] = key;
    slots[size * 2 + 1] = value;
    size++;
    modCount++;
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V remove(Object key) {
    if (large != null) {
      return large.remove(key);
    }
    int i = indexOf(key);
    if (i < 0) {
      return null;
    }
    V old = (V) slots[i + 1];
    removeAt(i);
    return old;
  }

  /** Removes the entry at slot {@code i}, keeping the order of the others. */
  private void removeAt(int i) {
    int end = size * 2;
    System.arraycopy(slots, i + 2, slots, i, end - i - 2);
    slots[end - 2] = null;
    slots[end - 1] = null;
    size--;
    modCount++;
  }

  @Override
  public void clear() {
    if (large != null) {
      large.clear();
      return;
    }
    Arrays.fill(slots, 0, size * 2, null);
    size = 0;
    modCount++;
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return large != null ? large.entrySet() : new Entries();
  }

  /** The entries of the small form; a map that grows while iterated fails fast. */
  private final class Entries extends AbstractSet<Map.Entry<K, V>> {
    @Override
    public int size() {
      return FieldMap.this.size();
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
      return new Iterator<>() {
        private int next;
        private int last = -1;
        private int expected = modCount;

        @Override
        public boolean hasNext() {
          return next < size * 2;
        }

        @Override
        public Map.Entry<K, V> next() {
          if (modCount != expected) {
            throw new ConcurrentModificationException();
          }
          if (next >= size * 2) {
            throw new NoSuchElementException();
          }
          last = next;
          next += 2;
          return new Entry(last);
        }

        @Override
        public void remove() {
          if (last < 0) {
            throw new IllegalStateException();
          }
          if (modCount != expected) {
            throw new ConcurrentModificationException();
          }
          removeAt(last);
          next = last;
          last = -1;
          expected = modCount;
        }
      };
    }
  }

  /** An entry of the small form, writing its value through to the map. */
  private final class Entry extends AbstractMap.SimpleEntry<K, V> {
    private static final long serialVersionUID = 1L;
    private final int slot;
    private final int expected = modCount;

    @SuppressWarnings("unchecked")
    Entry(int slot) {
      super((K) slots[slot], (V) slots[slot + 1]);
      this.slot = slot;
    }

    @Override
    public V setValue(V value) {
      if (modCount != expected) {
        throw new ConcurrentModificationException();
      }
      slots[slot + 1] = value;
      return super.setValue(value);
    }
  }
}
