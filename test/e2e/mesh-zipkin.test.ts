/** The mesh with Istio's Zipkin provider: Envoy speaks B3, the services JAEGER_PROPAGATION=b3. */
import { describeMesh } from './helpers/mesh-suite.js';

describeMesh('zipkin');
