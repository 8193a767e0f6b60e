"""Layer rows: names, order, shapes and per-layer costs as Keras builds them."""

from explorer.arch import LAYER_KINDS, MobileNetSpec, base_layer_name, layer_rows


def _names(spec):
    return [r.name for r in layer_rows(spec)]


def test_layer_names_and_order_alpha_1():
    names = _names(MobileNetSpec())
    assert names[:4] == ["input_layer", "conv1", "conv1_bn", "conv1_relu"]
    assert names[4:10] == ["conv_dw_1", "conv_dw_1_bn", "conv_dw_1_relu",
                           "conv_pw_1", "conv_pw_1_bn", "conv_pw_1_relu"]
    assert names[10:12] == ["conv_pad_2", "conv_dw_2"]
    assert names[-5:] == ["global_average_pooling2d", "dropout", "conv_preds", "reshape_2",
                          "predictions"]
    assert len(names) == 91 and len(set(names)) == 91
    pads = [n for n in names if n.startswith("conv_pad_")]
    assert pads == ["conv_pad_2", "conv_pad_4", "conv_pad_6", "conv_pad_12"]


def test_no_top_ends_at_last_relu():
    rows = layer_rows(MobileNetSpec(include_top=False))
    assert rows[-1].name == "conv_pw_13_relu"
    assert rows[-1].output_shape == (7, 7, 1024)


def test_every_kind_is_known_and_blocks_numbered():
    rows = layer_rows(MobileNetSpec())
    assert {r.kind for r in rows} <= set(LAYER_KINDS)
    assert {r.block for r in rows if r.block is not None} == set(range(1, 14))
    assert [r.index for r in rows] == list(range(len(rows)))


def test_shapes_chain_and_odd_resolution():
    rows = layer_rows(MobileNetSpec(0.9, 227))
    for prev, row in zip(rows, rows[1:]):
        assert row.input_shape == prev.output_shape
    by = {r.name: r for r in rows}
    assert by["conv1"].output_shape == (114, 114, 28)  # 'same', stride 2: ceil(227 / 2)
    assert by["conv_pad_2"].output_shape == (115, 115, 57)
    assert by["conv_dw_2"].output_shape == (57, 57, 57)  # 'valid' after (0,1) padding


def test_per_layer_costs():
    by = {r.name: r for r in layer_rows(MobileNetSpec())}
    assert by["conv1"].params == 3 * 3 * 3 * 32
    assert by["conv1"].macs == 3 * 3 * 3 * 32 * 112 * 112
    assert by["conv_dw_13"].macs == 9 * 1024 * 7 * 7
    assert by["conv_pw_13"].params == 1024 * 1024
    assert by["conv_preds"].params == 1024 * 1000 + 1000
    assert by["conv_preds"].macs == 1024 * 1000
    bn = by["conv_pw_13_bn"]
    assert (bn.params, bn.trainable_params, bn.non_trainable_params) == (4096, 2048, 2048)
    for kind in ("batchnorm", "relu", "pad", "pool", "dropout", "reshape", "softmax"):
        assert all(r.macs == 0 for r in by.values() if r.kind == kind)


def test_alpha_truncates_channels_like_keras():
    by = {r.name: r for r in layer_rows(MobileNetSpec(0.35, 96))}
    assert by["conv1"].output_shape[-1] == int(32 * 0.35) == 11
    assert by["conv_pw_13"].output_shape[-1] == int(1024 * 0.35) == 358


def test_classes_change_only_the_head():
    a = {r.name: r for r in layer_rows(MobileNetSpec(classes=10))}
    assert a["conv_preds"].params == 1024 * 10 + 10
    assert a["predictions"].output_shape == (10,)


def test_base_layer_name():
    assert base_layer_name("input_layer_3") == "input_layer"
    assert base_layer_name("global_average_pooling2d_12") == "global_average_pooling2d"
    assert base_layer_name("conv_dw_1") == "conv_dw_1"
