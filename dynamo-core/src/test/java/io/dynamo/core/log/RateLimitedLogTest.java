package io.dynamo.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {
  final AtomicLong now = new AtomicLong(1_000);
  final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  Logger logger;

  @BeforeEach
  void capture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    logger = context.getLogger("rate-limited-log-test");
    logger.setLevel(Level.WARN);
    logger.setAdditive(false);
    appender.setContext(context);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
  }

  @Test
  void eachKindGetsItsBurstPerIntervalAndTheRestIsCountedAndReported() {
    RateLimitedLog log = new RateLimitedLog(logger, now::get, 10_000, 3);
    for (int i = 0; i < 1000; i++) {
      log.warn("bad-frame", "bad frame {}", i);
    }
    log.warn("bad-hello", "bad hello");
    assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("bad frame 0", "bad frame 1", "bad frame 2", "bad hello");
    assertThat(log.pendingSuppressed("bad-frame")).isEqualTo(997);

    now.addAndGet(10_000);
    assertThat(log.warn("bad-frame", "bad frame again")).isTrue();
    assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
        .endsWith("suppressed 997 similar warnings (bad-frame) in the last 10000 ms", "bad frame again");
    assertThat(log.pendingSuppressed("bad-frame")).isZero();
  }
}
