package io.nanolens.model;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Ops;

/**
 * The MLP of one nanochat v1 block, forward and backward side by side: h = ln·Wfcᵀ (d → 4d), a = relu(h)², out =
 * a·Wprojᵀ (4d → d). The forward is split in two ({@link #expand}, {@link #project}) so the hidden activation a
 * can be read or replaced at {@code blocks.{L}.mlp.hook_post}. Shapes as in {@link GptState}.
 */
final class Mlp {

    /**
     * One block's MLP weights in nn.Linear layout [out, in].
     *
     * @param fc   c_fc [4d, d]
     * @param proj c_proj [d, 4d]
     */
    record Weights(float[] fc, float[] proj) {
    }

    private final int d;
    private final int hidden;

    Mlp(GptConfig config) {
        d = config.nEmbd();
        hidden = config.mlpDim();
    }

    /** residMid[l] → ln2[l] → fcPre[l] → fcAct[l] = relu(fcPre)². */
    void expand(Weights w, GptState s, int l) {
        int n = s.rows;
        RmsNorm.forward(s.residMid[l], s.ln2[l], s.rstd2[l], n, d);
        Matmul.abT(s.ln2[l], w.fc(), s.fcPre[l], n, d, hidden, false);
        Ops.reluSquared(s.fcPre[l], s.fcAct[l], n * hidden);
    }

    /** fcAct[l] → mlpOut. */
    void project(Weights w, GptState s, int l) {
        Matmul.abT(s.fcAct[l], w.proj(), s.mlpOut, s.rows, hidden, d, false);
    }

    /**
     * Backward from dResid = ∂loss/∂resid[l+1]: accumulates the weight gradients into {@code g} and adds the
     * gradient through the MLP branch to dResid, which becomes ∂loss/∂resid_mid[l].
     */
    void backward(Weights w, Weights g, GptState s, int l) {
        int n = s.rows;
        Matmul.aTb(s.dResid, s.fcAct[l], g.proj(), d, n, hidden, true);
        Matmul.ab(s.dResid, w.proj(), s.dFc, n, d, hidden, false);
        Ops.reluSquaredBackward(s.dFc, s.fcPre[l], s.dFc, n * hidden);
        Matmul.aTb(s.dFc, s.ln2[l], g.fc(), hidden, n, d, true);
        Matmul.ab(s.dFc, w.fc(), s.dLn, n, hidden, d, false);
        RmsNorm.backward(s.dLn, s.residMid[l], s.rstd2[l], s.dLn, n, d);
        Ops.add(s.dResid, s.dLn, s.dResid, n * d);
    }
}
