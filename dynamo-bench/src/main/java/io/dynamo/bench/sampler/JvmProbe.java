package io.dynamo.bench.sampler;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads one local JVM's memory over JMX: attaches once (starting its local management agent), then
 * reads on a thread of its own so that a JVM too busy to answer, or paused, costs a sample ("-")
 * and never stalls the other processes' samples. At most one read is outstanding per process.
 */
final class JvmProbe implements AutoCloseable {
  private final String name;
  private final long pid;
  private final Duration timeout;
  private final ExecutorService reader;
  private JMXConnector connector;
  private Future<MemorySample.Jvm> pending;

  JvmProbe(String name, long pid, Duration timeout) {
    this.name = name;
    this.pid = pid;
    this.timeout = timeout;
    this.reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "probe-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  MemorySample sample() {
    ProcState state = ProcState.of(pid);
    if (state == ProcState.GONE) {
      return MemorySample.of(name, pid, state, MemorySample.Jvm.NONE, MemorySample.UNKNOWN);
    }
    long rss = ProcState.rss(pid);
    MemorySample.Jvm jvm = MemorySample.Jvm.NONE;
    if (state == ProcState.RUNNING) {
      if (pending == null || pending.isDone()) {
        pending = reader.submit(this::read);
      }
      try {
        jvm = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        pending = null;
      } catch (TimeoutException e) {
        // Still reading: the next sample waits for this read rather than starting another.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        pending = null;
        disconnect(); // attach again next time
      }
    }
    return MemorySample.of(name, pid, state, jvm, rss);
  }

  private MemorySample.Jvm read() throws Exception {
    if (connector == null) {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
      try {
        connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
      } finally {
        vm.detach();
      }
    }
    MBeanServerConnection c = connector.getMBeanServerConnection();
    MemoryUsage heap =
        ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class)
            .getHeapMemoryUsage();
    long afterGc = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getPlatformMXBeans(c, MemoryPoolMXBean.class)) {
      MemoryUsage u = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      afterGc += u == null ? 0 : u.getUsed();
    }
    long directUsed = MemorySample.UNKNOWN;
    long directBuffers = MemorySample.UNKNOWN;
    List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(c, BufferPoolMXBean.class);
    for (BufferPoolMXBean pool : pools) {
      if (pool.getName().equals("direct")) {
        directUsed = pool.getMemoryUsed();
        directBuffers = pool.getCount();
      }
    }
    return new MemorySample.Jvm(
        heap.getUsed(), afterGc, heap.getCommitted(), heap.getMax(), directUsed, directBuffers);
  }

  private void disconnect() {
    if (connector != null) {
      try {
        connector.close();
      } catch (IOException e) {
        // The process may be gone; nothing to release then.
      }
      connector = null;
    }
  }

  @Override
  public void close() {
    reader.shutdownNow();
    disconnect();
  }
}
